"""Hourly roll-ups stored as one row per meter and local day (the day's 24 hours packed in ``hours``).

The ingest wrote one hourly row per 4 readings of 15-minute data; now it writes one per 96. Daily and monthly
roll-ups are unchanged. Existing hourly rows are packed with ``engine.rollup.pack_days`` into the new table
(WITHOUT ROWID on SQLite, like the other roll-ups), which replaces the old one. Not reversible.
"""
import numpy as np
from django.db import migrations, models

import django.db.models.deletion

TABLE = "monitoring_rolluphourly"
FK = 'REFERENCES "monitoring_meter" ("id") DEFERRABLE INITIALLY DEFERRED'


def forwards(apps, schema_editor):
    from carbonpeak.monitoring.engine import rollup as ru

    conn = schema_editor.connection
    run = schema_editor.execute
    if conn.vendor == "sqlite":
        run(f'CREATE TABLE "{TABLE}__new" ("meter_id" bigint NOT NULL {FK}, "day" bigint NOT NULL, '
            f'"hours" BLOB NOT NULL, PRIMARY KEY ("meter_id", "day")) WITHOUT ROWID')
    elif conn.vendor == "postgresql":
        run(f'CREATE TABLE "{TABLE}__new" ("meter_id" bigint NOT NULL {FK}, "day" bigint NOT NULL, '
            f'"hours" bytea NOT NULL, PRIMARY KEY ("meter_id", "day"))')
    else:
        raise NotImplementedError(f"monitoring tables: no layout for database vendor {conn.vendor!r}")
    with conn.cursor() as c:
        c.execute(f'SELECT DISTINCT meter_id FROM "{TABLE}" ORDER BY meter_id')
        meters = [r[0] for r in c.fetchall()]
        for mid in meters:
            c.execute(f'SELECT bucket, consumption, flagged_consumption, n, n_flagged FROM "{TABLE}" '
                      f'WHERE meter_id = %s ORDER BY bucket', [mid])
            rows = c.fetchall()
            col = lambda i, t: np.array([r[i] for r in rows], dtype=t)  # noqa: E731
            hourly = ru.Rollup(np.full(len(rows), mid, dtype=np.int64), col(0, np.int64), col(1, np.float64),
                               col(2, np.float64), col(3, np.int64), col(4, np.int64))
            days = ru.to_days(hourly)
            c.executemany(f'INSERT INTO "{TABLE}__new" (meter_id, day, hours) VALUES (%s, %s, %s)',
                          list(zip(days.meter.tolist(), days.day.tolist(), ru.pack_days(days))))
    run(f'DROP TABLE "{TABLE}"')
    run(f'ALTER TABLE "{TABLE}__new" RENAME TO "{TABLE}"')


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("monitoring", "0002_composite_keys_partitioning")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, migrations.RunPython.noop)],
            state_operations=[
                migrations.DeleteModel(name="RollupHourly"),
                migrations.CreateModel(
                    name="RollupHourly",
                    fields=[
                        ("pk", models.CompositePrimaryKey("meter_id", "day", blank=True, editable=False,
                                                          primary_key=True, serialize=False)),
                        ("day", models.BigIntegerField()),
                        ("hours", models.BinaryField()),
                        ("meter", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                                    related_name="+", to="monitoring.meter")),
                    ],
                ),
            ],
        ),
    ]
