from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "carbonpeak.tracking"
    verbose_name = "Tracking"
