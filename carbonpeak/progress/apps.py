from django.apps import AppConfig


class ProgressConfig(AppConfig):
    """Above the data domains: turns every source (reports, projects, accounting, monitoring, scenarios) into one
    value and one status per indicator and year."""

    name = "carbonpeak.progress"
    verbose_name = "Progress"
