from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "carbonpeak.scenarios"
    verbose_name = "Scenarios"
