"""The `carbonpeak` command: every sub-command is a Django management command.

`carbonpeak plan load FILE` runs the `plan` command, `carbonpeak bench --json` the `bench` command, and so on.
A command that needs a database which is not set up (or not reachable) says what to do instead of a traceback.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carbonpeak.settings")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        execute_from_command_line(["carbonpeak", *args])
    except DatabaseError as exc:
        advice = database_advice()
        if advice is None:
            raise
        sys.exit(f"carbonpeak {' '.join(args[:1])}: {advice}\n({type(exc).__name__}: {str(exc).strip()})")


def database_advice() -> str | None:
    """What to do when the database cannot serve a command: None if it is reachable and fully migrated (the error
    was something else)."""
    from django.conf import settings
    from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
    from django.db.migrations.executor import MigrationExecutor

    db = settings.DATABASES[DEFAULT_DB_ALIAS]
    where = f"{db['ENGINE'].rsplit('.', 1)[-1]} database {db['NAME']!r}"
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.close()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return (f"cannot reach the {where}: check DATABASE_URL, that the server runs and that the user may log in "
                f"(docs/deployment.md)")
    if pending:
        return (f"the {where} is not set up ({len(pending)} migrations not applied): run `carbonpeak up --no-serve` "
                f"(migrates and loads the plan; add --no-demo for production) or `carbonpeak migrate`")
    return None
