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
