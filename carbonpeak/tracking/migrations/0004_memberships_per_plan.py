"""A user may belong to several plans: one membership per (user, plan), `plan` copied from the unit."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def plan_from_unit(apps, schema_editor):
    Membership = apps.get_model("tracking", "Membership")
    for membership in Membership.objects.select_related("unit"):
        membership.plan_id = membership.unit.plan_id
        membership.save(update_fields=["plan"])


class Migration(migrations.Migration):

    dependencies = [
        ('plan', '0003_indicator_source'),
        ('tracking', '0003_notifications_and_closed_periods'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='membership',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships',
                                    to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='membership',
            name='plan',
            field=models.ForeignKey(null=True, editable=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name='memberships', to='plan.plan'),
        ),
        migrations.RunPython(plan_from_unit, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='membership',
            name='plan',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name='memberships', to='plan.plan'),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.UniqueConstraint(fields=('user', 'plan'), name='one_membership_per_user_and_plan'),
        ),
    ]
