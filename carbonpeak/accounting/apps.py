from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "carbonpeak.accounting"
    verbose_name = "Accounting"
