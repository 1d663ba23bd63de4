from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "carbonpeak.assessment"
    verbose_name = "Target decomposition and assessment"
