from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "carbonpeak.review"
    verbose_name = _("Project energy review")
    default_auto_field = "django.db.models.BigAutoField"
