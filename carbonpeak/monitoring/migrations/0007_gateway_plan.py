"""Every gateway belongs to a plan: its site's or responsible unit's plan, else (a gateway for every site) the
default plan — from now on it writes only that plan's sites."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def plan_of_existing_gateways(apps, schema_editor):
    Gateway = apps.get_model("monitoring", "Gateway")
    Plan = apps.get_model("plan", "Plan")
    code = getattr(settings, "CARBONPEAK_PLAN_CODE", "")
    default = (Plan.objects.filter(code=code).first() if code else None) or Plan.objects.order_by("id").first()
    for gateway in Gateway.objects.select_related("site", "responsible_unit"):
        if gateway.site is not None:
            gateway.plan_id = gateway.site.plan_id
        elif gateway.responsible_unit is not None:
            gateway.plan_id = gateway.responsible_unit.plan_id
        else:
            gateway.plan_id = default.pk if default is not None else None
        gateway.save(update_fields=["plan"])


class Migration(migrations.Migration):

    dependencies = [
        ('plan', '0003_indicator_source'),
        ('monitoring', '0006_site_plan'),
    ]

    operations = [
        migrations.AddField(
            model_name='gateway',
            name='plan',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name='monitoring_gateways', to='plan.plan',
                                    help_text="the plan whose sites the gateway writes (its site's or unit's plan when set)"),
        ),
        migrations.RunPython(plan_of_existing_gateways, migrations.RunPython.noop),
    ]
