from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "carbonpeak.core"
    verbose_name = "Carbonpeak"
