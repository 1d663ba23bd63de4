"""The `carbonpeak` command: every sub-command is a Django management command.

`carbonpeak plan load FILE` runs the `plan` command, `carbonpeak bench --json` the `bench` command, and so on.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carbonpeak.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["carbonpeak", *args])


if __name__ == "__main__":
    main()
