from django.db import models


class DataVersion(models.Model):
    """One row: a token every committed write to the domain apps' tables replaces (carbonpeak.core.dataversion),
    so figures computed from that data may be reused across requests until the next write."""

    token = models.CharField(max_length=32)
