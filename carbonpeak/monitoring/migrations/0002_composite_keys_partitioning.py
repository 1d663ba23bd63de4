"""Readings and roll-ups keyed by (meter, ts|bucket): one B-tree per table, no surrogate id.

* SQLite: the four tables are rebuilt WITHOUT ROWID with PRIMARY KEY (meter_id, ts|bucket), so an insert
  writes one B-tree instead of a rowid table plus a unique index (about twice as fast to ingest).
* PostgreSQL: the readings table becomes a declaratively partitioned table, PARTITION BY RANGE (ts) with one
  partition per local (UTC+8) month, created by this migration for existing data and on demand by the ingest
  (``carbonpeak.monitoring.partitions``); the roll-up tables drop their id column for PRIMARY KEY
  (meter_id, bucket).

Existing rows are copied. The state operations are what ``makemigrations`` derives from the models.
"""
from django.db import migrations, models

ROLLUPS = {"monitoring_rolluphourly": "mon_uniq_hourly", "monitoring_rollupdaily": "mon_uniq_daily",
           "monitoring_rollupmonthly": "mon_uniq_monthly"}
READINGS = "monitoring_meterreading"
FK = 'REFERENCES "monitoring_meter" ("id") DEFERRABLE INITIALLY DEFERRED'


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    run = schema_editor.execute
    if conn.vendor == "sqlite":
        run(f'CREATE TABLE "{READINGS}__new" ("meter_id" bigint NOT NULL {FK}, "ts" bigint NOT NULL, '
            f'"value" real NOT NULL, PRIMARY KEY ("meter_id", "ts")) WITHOUT ROWID')
        run(f'INSERT INTO "{READINGS}__new" SELECT meter_id, ts, value FROM "{READINGS}"')
        run(f'DROP TABLE "{READINGS}"')
        run(f'ALTER TABLE "{READINGS}__new" RENAME TO "{READINGS}"')
        for table in ROLLUPS:
            run(f'CREATE TABLE "{table}__new" ("meter_id" bigint NOT NULL {FK}, "bucket" bigint NOT NULL, '
                f'"consumption" real NOT NULL, "flagged_consumption" real NOT NULL, "n" integer NOT NULL, '
                f'"n_flagged" integer NOT NULL, PRIMARY KEY ("meter_id", "bucket")) WITHOUT ROWID')
            run(f'INSERT INTO "{table}__new" SELECT meter_id, bucket, consumption, flagged_consumption, n, n_flagged '
                f'FROM "{table}"')
            run(f'DROP TABLE "{table}"')
            run(f'ALTER TABLE "{table}__new" RENAME TO "{table}"')
        run('CREATE INDEX "mon_monthly_bucket" ON "monitoring_rollupmonthly" ("bucket")')
    elif conn.vendor == "postgresql":
        from carbonpeak.monitoring.partitions import create_partitions_sql

        run(f'ALTER TABLE "{READINGS}" RENAME TO "{READINGS}__old"')
        run(f'CREATE TABLE "{READINGS}" ("meter_id" bigint NOT NULL {FK}, "ts" bigint NOT NULL, '
            f'"value" double precision NOT NULL, PRIMARY KEY ("meter_id", "ts")) PARTITION BY RANGE ("ts")')
        with conn.cursor() as c:
            c.execute(f'SELECT min(ts), max(ts) FROM "{READINGS}__old"')
            lo, hi = c.fetchone()
        if lo is not None:
            for sql in create_partitions_sql(lo, hi):
                run(sql)
            run(f'INSERT INTO "{READINGS}" (meter_id, ts, value) SELECT meter_id, ts, value FROM "{READINGS}__old"')
        run(f'DROP TABLE "{READINGS}__old"')
        for table, uniq in ROLLUPS.items():
            run(f'ALTER TABLE "{table}" DROP CONSTRAINT "{uniq}"')
            run(f'ALTER TABLE "{table}" DROP COLUMN "id"')
            run(f'ALTER TABLE "{table}" ADD PRIMARY KEY ("meter_id", "bucket")')
    else:
        raise NotImplementedError(f"monitoring tables: no layout for database vendor {conn.vendor!r}")


def pk(*cols):
    return models.CompositePrimaryKey(*cols, blank=True, editable=False, primary_key=True, serialize=False)


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("monitoring", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, migrations.RunPython.noop)],
            state_operations=[
                migrations.RemoveConstraint(model_name="meterreading", name="mon_uniq_reading"),
                migrations.RemoveConstraint(model_name="rollupdaily", name="mon_uniq_daily"),
                migrations.RemoveConstraint(model_name="rolluphourly", name="mon_uniq_hourly"),
                migrations.RemoveConstraint(model_name="rollupmonthly", name="mon_uniq_monthly"),
                migrations.RemoveField(model_name="meterreading", name="id"),
                migrations.RemoveField(model_name="rollupdaily", name="id"),
                migrations.RemoveField(model_name="rolluphourly", name="id"),
                migrations.RemoveField(model_name="rollupmonthly", name="id"),
                migrations.AddField(model_name="meterreading", name="pk", field=pk("meter_id", "ts")),
                migrations.AddField(model_name="rollupdaily", name="pk", field=pk("meter_id", "bucket")),
                migrations.AddField(model_name="rolluphourly", name="pk", field=pk("meter_id", "bucket")),
                migrations.AddField(model_name="rollupmonthly", name="pk", field=pk("meter_id", "bucket")),
            ],
        ),
    ]
