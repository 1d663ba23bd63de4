"""Every monitored site belongs to a plan: its town's or responsible unit's, else the default (first) plan; the
data-centre generations' labels no longer name PUE limits (those are the plan's)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def plan_of_existing_sites(apps, schema_editor):
    Site = apps.get_model("monitoring", "Site")
    Plan = apps.get_model("plan", "Plan")
    code = getattr(settings, "CARBONPEAK_PLAN_CODE", "")
    default = (Plan.objects.filter(code=code).first() if code else None) or Plan.objects.order_by("id").first()
    for site in Site.objects.select_related("town", "responsible_unit"):
        unit = site.town or site.responsible_unit
        site.plan_id = unit.plan_id if unit is not None else (default.pk if default is not None else None)
        site.save(update_fields=["plan"])


class Migration(migrations.Migration):

    dependencies = [
        ('plan', '0003_indicator_source'),
        ('monitoring', '0005_site_status'),
    ]

    operations = [
        migrations.AddField(
            model_name='site',
            name='plan',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name='monitoring_sites', to='plan.plan',
                                    help_text="the plan (district) the site belongs to: its town's or unit's plan by default"),
        ),
        migrations.RunPython(plan_of_existing_sites, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='site',
            name='dc_generation',
            field=models.CharField(blank=True, choices=[('new', 'New data centre'), ('existing', 'Existing data centre')],
                                   max_length=10, verbose_name='data-centre generation'),
        ),
    ]
