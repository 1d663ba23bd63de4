"""Reminders (催报): tell a unit's reporters that its reports for a period are due soon or overdue, in the app and
by e-mail.

Two ways in: the worker's scheduled job `send_scheduled_reminders` (every `REMINDERS_EVERY_MINUTES`: once
`REMINDER_DAYS_BEFORE_DUE` days before the due date, once after it) and the district office's button on the
reminders page (`urge`). Each notification is a `Notification` row, sent or failed with the
error; the unique (recipient, unit, period, kind, channel) makes a second run, or a second click, a no-op. E-mail goes
through Django's e-mail over SMTP (EMAIL_HOST, EMAIL_PORT, ... in docs/deployment.md); without EMAIL_HOST the
reminders are in the app only.
"""

from __future__ import annotations

import smtplib
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from carbonpeak.core.audit import audit
from carbonpeak.plan.models import Plan, ResponsibleUnit
from carbonpeak.tracking import selectors
from carbonpeak.tracking.models import Membership, Notification, ReportingPeriod
from carbonpeak.core.permissions import Actor, require

Kind, Channel, Status = Notification.Kind, Notification.Channel, Notification.Status


def recipients(unit: ResponsibleUnit) -> list:
    """Who is reminded: the unit's active reporters."""
    members = Membership.objects.filter(unit=unit, role=Membership.Role.REPORTER, user__is_active=True)
    return [m.user for m in members.select_related("user").order_by("user__username")]


def message(reminder: selectors.Reminder, kind: str) -> tuple[str, str]:
    """Subject and body, in the site's language (zh-hans by default), naming the unit, the period and what is
    missing, with the link to the unit's sheet."""
    period, unit = reminder.period, reminder.unit
    link = urljoin(settings.SITE_URL, reverse("tracking:sheet", args=[period.pk, unit.code]))
    with translation.override(settings.LANGUAGE_CODE):
        values = {"unit": unit.name, "period": period.label, "due": period.due_date.isoformat(),
                  "days": reminder.days_overdue, "indicators": reminder.missing_indicators,
                  "tasks": reminder.missing_tasks, "link": link}
        if kind == Kind.DUE_SOON:
            values["days"] = -reminder.days_overdue
            subject = _("Reminder: %(unit)s's report for %(period)s is due on %(due)s") % values
            body = _("%(unit)s,\n\nthe progress report for %(period)s is due on %(due)s (in %(days)s days). Still "
                     "missing: %(indicators)s indicator values and %(tasks)s task progress reports.\n\nPlease "
                     "report on the platform: %(link)s\n") % values
            return subject, body
        prefix = _("Reminder from the district office") if kind == Kind.URGED else _("Reminder")
        subject = _("%(prefix)s: %(unit)s has not reported for %(period)s") % {**values, "prefix": prefix}
        body = _("%(unit)s,\n\nthe progress report for %(period)s was due on %(due)s (%(days)s days ago). Still "
                 "missing: %(indicators)s indicator values and %(tasks)s task progress reports.\n\nPlease report "
                 "on the platform: %(link)s\n") % values
    return subject, body


def _claim(recipient, reminder: selectors.Reminder, kind: str, channel: str, subject: str,
           body: str) -> Notification | None:
    """The notification row to send now, or None when it was already sent (or is being sent by another run)."""
    key = {"recipient": recipient, "unit": reminder.unit, "period": reminder.period, "kind": kind, "channel": channel}
    try:
        with transaction.atomic():
            return Notification.objects.create(**key, subject=subject, body=body, status=Status.PENDING)
    except IntegrityError:
        pass
    failed = Notification.objects.filter(**key, status=Status.FAILED).first()
    if failed is None:
        return None
    claimed = Notification.objects.filter(pk=failed.pk, status=Status.FAILED).update(status=Status.PENDING)
    return failed if claimed else None


def _deliver(notification: Notification) -> Notification:
    status, error = Status.SENT, ""
    if notification.channel == Channel.EMAIL:
        try:
            EmailMessage(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL,
                         [notification.recipient.email]).send()
        except (OSError, smtplib.SMTPException) as exc:
            status, error = Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    Notification.objects.filter(pk=notification.pk).update(status=status, error=error, sent_at=timezone.now())
    notification.status, notification.error = status, error
    return notification


def remind(reminder: selectors.Reminder, kind: str) -> list[Notification]:
    """Notify the unit's reporters of one reminder, in the app and (with EMAIL_HOST) by e-mail; returns the
    notifications sent or failed now (none when all went out before)."""
    subject, body = message(reminder, kind)
    sent = []
    for user in recipients(reminder.unit):
        channels = [Channel.APP] + ([Channel.EMAIL] if settings.EMAIL_HOST and user.email else [])
        for channel in channels:
            notification = _claim(user, reminder, kind, channel, subject, body)
            if notification is not None:
                sent.append(_deliver(notification))
    return sent


def send_scheduled_reminders() -> int:
    """The worker's scheduled job: remind every unit of every plan that still owes reports due within
    REMINDER_DAYS_BEFORE_DUE days, and every one with overdue reports; the number sent now."""
    sent = 0
    for plan in Plan.objects.all():
        if settings.REMINDER_DAYS_BEFORE_DUE > 0:
            due_soon = selectors.reminders(plan, due_within=settings.REMINDER_DAYS_BEFORE_DUE)
            sent += sum(len(remind(r, Kind.DUE_SOON)) for r in due_soon)
        sent += sum(len(remind(r, Kind.OVERDUE)) for r in selectors.reminders(plan))
    return sent


def urge(actor: Actor, plan: Plan, unit: ResponsibleUnit | None = None,
         period: ReportingPeriod | None = None) -> list[Notification]:
    """The district office reminds one unit (or every unit) of its overdue reports (one period or all); audited."""
    require(actor.is_admin, _("Only the district office sends reminders."))
    units = plan.units.filter(pk=unit.pk) if unit is not None else None
    sent = []
    for reminder in selectors.reminders(plan, units, period):
        notifications = remind(reminder, Kind.URGED)
        for n in notifications:
            audit(actor, "remind", n, None, {"recipient": n.recipient_id, "channel": n.channel, "status": n.status})
        sent += notifications
    return sent


def unread_count(user) -> int:
    """The user's in-app notifications not yet marked read."""
    return Notification.objects.filter(recipient=user, channel=Channel.APP, read_at__isnull=True).count()


def mark_read(actor: Actor, notification_id: int | None = None) -> int:
    """Mark the actor's own unread in-app notifications read: one (`notification_id`) or all; audited. Returns how
    many were marked (0 for someone else's notification: it stays as it was)."""
    mine = Notification.objects.filter(recipient=actor.db_user, channel=Channel.APP, read_at__isnull=True)
    if notification_id is not None:
        mine = mine.filter(pk=notification_id)
    now = timezone.now()
    with transaction.atomic():
        marked = list(mine.select_related("unit", "period"))
        Notification.objects.filter(pk__in=[n.pk for n in marked]).update(read_at=now)
        for n in marked:
            audit(actor, "read", n, {"read_at": None}, {"read_at": now.isoformat()})
    return len(marked)
