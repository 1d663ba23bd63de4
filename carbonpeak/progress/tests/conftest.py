"""The tracking tests' small plan, units, indicators and users: progress is evaluated over the same data."""

from carbonpeak.tracking.tests.conftest import *  # noqa: F401,F403
