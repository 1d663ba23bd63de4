"""The data version: a token that changes after every committed write to a domain app's tables, so that figures
computed from those tables (carbonpeak.core.memo) can be reused across requests and worker processes until then.

Writes are caught at the SQL level (an execute wrapper on every connection: INSERT/UPDATE/DELETE on a table of
settings.DOMAIN_APPS), so ORM saves, queryset updates and deletes, bulk_create and raw SQL all count. Writes that
bypass the cursor (PostgreSQL COPY on the raw connection) call `written()` themselves.

The new token is written after the transaction commits (no lock on the version row is held during a write, so
concurrent writers neither queue nor deadlock on it); a reader that sees the old token in between reads data at
least as new as that token's. A random token (not a counter) is never reused, even after a rollback."""

from __future__ import annotations

import re
import uuid
from functools import partial

from django.conf import settings
from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def current() -> str | None:
    """The committed data version, or None when there is no version row (e.g. after a test flush): then nothing
    may be reused."""
    from carbonpeak.core.models import DataVersion

    return DataVersion.objects.filter(pk=1).values_list("token", flat=True).first()


def _bump(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as c:  # the cursor, not the ORM: this write must not schedule another
        c.execute("UPDATE core_dataversion SET token = %s WHERE id = 1", [uuid.uuid4().hex])


def written(connection: BaseDatabaseWrapper = default_connection) -> None:
    """Domain data was written on `connection`: the version changes once its transaction commits (at once in
    autocommit, and under a test's transaction, which never commits)."""
    if not connection.in_atomic_block or connection.atomic_blocks[0]._from_testcase:
        _bump(connection)
    elif not any(getattr(func, "bumps_version", False) for _sids, func, _robust in connection.run_on_commit):
        bump = partial(_bump, connection)
        bump.bumps_version = True  # once per transaction; a rolled-back savepoint drops it with its writes
        connection.on_commit(bump)


DERIVED_TABLES = {"accounting_inventoryrun"}
"""Tables of stored results computed from the other tables (keyed by their inputs' fingerprint): writing them
changes no figure, and the dashboard writes them itself."""
_migrating = {"now": False}


def migrating(sender, **kwargs) -> None:
    """pre_migrate: the version table may not exist yet; writes are not watched until the migrations are done."""
    _migrating["now"] = True


def migrated(sender, using: str, **kwargs) -> None:
    """post_migrate: migrations may have changed data, so the version changes once after them."""
    from django.db import connections

    _migrating["now"] = False
    _bump(connections[using])


def _is_domain_table(table: str) -> bool:
    table = table.lower()
    return table.split("_", 1)[0] in settings.DOMAIN_APPS and table not in DERIVED_TABLES


def _watch(connection: BaseDatabaseWrapper):
    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not _migrating["now"] and (m := _WRITE.match(sql)) and _is_domain_table(m.group(1)):
            written(connection)
        return result

    return wrapper


def install(sender, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """connection_created: watch the new connection's writes."""
    connection.execute_wrappers.append(_watch(connection))
