"""The platform's notion of "today": the real date, unless `CARBONPEAK_TODAY` fixes it.

Everything that decides by the date (which reporting period is due, how much demo history exists, which targets'
years are over) asks this module, never `date.today()`, so a test, a demo or a rehearsal of next year's
assessment can set the clock (`CARBONPEAK_TODAY=2027-01-15`, or `settings.CARBONPEAK_TODAY` in a test) and get
the same answers on any calendar day. Timestamps of what actually happened (audit entries, submissions) stay real.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone


def today() -> dt.date:
    """The local date the platform reasons about (`CARBONPEAK_TODAY` when set)."""
    fixed = getattr(settings, "CARBONPEAK_TODAY", None)
    if fixed:
        return fixed if isinstance(fixed, dt.date) else dt.date.fromisoformat(str(fixed))
    return timezone.localdate()
