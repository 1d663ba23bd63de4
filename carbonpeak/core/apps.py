from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate


class CoreConfig(AppConfig):
    name = "carbonpeak.core"
    verbose_name = "Carbonpeak"

    def ready(self) -> None:
        from carbonpeak.core import dataversion

        connection_created.connect(dataversion.install, dispatch_uid="carbonpeak-data-version")
        pre_migrate.connect(dataversion.migrating, dispatch_uid="carbonpeak-data-version")
        post_migrate.connect(dataversion.migrated, dispatch_uid="carbonpeak-data-version")
