"""Running the `carbonpeak` command in a subprocess, as a district's IT department would, on a given home folder."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# what the test session sets for itself (or the developer's shell may hold) and a real deployment would not
NOT_INHERITED = {"DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "CARBONPEAK_TODAY",
                 "HTTPS", "TRUST_X_FORWARDED_PROTO", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DEBUG"}


def carbonpeak_env(home: Path, **extra: str) -> dict[str, str]:
    """This environment without the test session's settings, with CARBONPEAK_HOME=home and ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    # the plan the README's main command (scripts/serve.sh) serves, unless the test names another
    return {**env, "CARBONPEAK_HOME": str(home), "CARBONPEAK_PLAN": env.get("CARBONPEAK_PLAN") or "qingpu-2022", **extra}


def carbonpeak(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess:
    """`carbonpeak ARGS` to completion (5 minutes at most), output captured as text."""
    return subprocess.run([sys.executable, "-m", "carbonpeak", *args], env=carbonpeak_env(home, **env),
                          capture_output=True, text=True, timeout=300)
