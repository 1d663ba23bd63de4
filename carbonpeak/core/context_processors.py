from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

NAV_LABELS = {
    "plan": _("Plan"),
    "tracking": _("Progress reporting"),
    "progress": _("Progress"),
    "accounting": _("Accounting"),
    "monitoring": _("Monitoring"),
    "scenarios": _("Scenarios"),
    "assessment": _("Assessment"),
    "review": _("Project energy review"),
}


def navigation(request) -> dict:
    """Top navigation: one entry per domain app that serves pages (its `<app>:index` URL)."""
    items = []
    for app in settings.DOMAIN_APPS:
        try:
            url = reverse(f"{app}:index")
        except NoReverseMatch:
            continue
        items.append({"app": app, "label": NAV_LABELS.get(app, app), "url": url,
                      "active": request.path.startswith(url)})
    return {"nav_items": items}


def plan_switcher(request) -> dict:
    """The header's plan switcher (core/_plan_switcher.html) for members of several plans and superusers: the plans
    they may see, each linking to the same app in that plan (`core.plan.switch_url`). Read only when shown."""
    from carbonpeak.core.permissions import is_plan_member
    from carbonpeak.core.plan import request_visible_plans, switch_url
    from carbonpeak.plan.selectors import current_plan

    def choices() -> list[dict]:
        if not is_plan_member(getattr(request, "user", None)):
            return []
        plans = request_visible_plans(request)
        if len(plans) < 2:
            return []
        current = current_plan(request)
        return [{"plan": plan, "url": switch_url(request, plan), "current": plan == current} for plan in plans]

    return {"plan_choices": choices}


def unread_notifications(request) -> dict:
    """The header's count of the user's unread notifications (reminders): read only when the header shows it, and
    once per data version (`memo.shared`)."""
    from carbonpeak.core import memo

    def count() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        from carbonpeak.tracking.reminders import unread_count

        return memo.shared(("unread_notifications", user.pk), lambda: unread_count(user))

    return {"unread_notifications": count}
