from django.contrib import admin

from carbonpeak.assessment import models

for model in (models.KeyEnergyUnit, models.UnitSeries, models.Allocation, models.AllocationShare, models.Assessment,
              models.Adjustment):
    admin.site.register(model)
