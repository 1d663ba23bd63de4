"""Shared test fixtures: the loaded Qingpu plan, a real Chromium driven by Playwright, users per role."""

import os
from pathlib import Path

import pytest

from carbonpeak.core.tests.members import MEMBER_PASSWORD, make_members  # noqa: F401 - tests import the password from here too

REPO = Path(__file__).resolve().parent
PLANS = REPO / "plans"
QINGPU_PLAN = PLANS / "qingpu-2022.yaml"
EXAMPLE_PLAN = PLANS / "example-district.yaml"
SEED_TEXT = PLANS / "sources" / "qingpu-carbon-peak-plan-2022.md"  # the issued text, 青府发〔2022〕64号
CHROMIUM = os.environ.get("CARBONPEAK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures and by the live
# server's test thread are still synchronous, so Django's async-safety guard would misfire.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


DATABASE_FIXTURES = {"django_db_setup", "db", "transactional_db", "django_db_reset_sequences",
                     "django_db_serialized_rollback", "live_server"}
"""A test that requests one of these (directly or through its fixtures, e.g. a module-scoped fixture that takes
`django_db_setup` and `django_db_blocker`) or carries `django_db` uses the database."""


_LEFT_OUT = pytest.StashKey[int]()  # how many tests --only-database-tests deselected


def pytest_addoption(parser):
    parser.addoption(
        "--only-database-tests", action="store_true",
        help="run only the tests that use the database (scripts/test.sh's PostgreSQL pass: the others do not depend "
             "on the database and ran on its SQLite pass)")


def uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(DATABASE_FIXTURES & set(item.fixturenames))


def pytest_collection_modifyitems(config, items):
    if not config.getoption("only_database_tests"):
        return
    kept = [item for item in items if uses_database(item)]
    left = [item for item in items if not uses_database(item)]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept
    config.stash[_LEFT_OUT] = len(left)


def pytest_report_collectionfinish(config, items):
    if config.getoption("only_database_tests"):
        return (f"--only-database-tests: {config.stash[_LEFT_OUT]} tests that use no database deselected "
                f"(they do not depend on the database; scripts/test.sh runs them on its SQLite pass)")
    return None


def pytest_configure(config):
    """Tests render pages without `collectstatic`: plain static file names. (Production serves WhiteNoise's
    compressed, content-hashed files, tested through the real server in core/tests/test_production_server.py.)"""
    from django.conf import settings

    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def qingpu_plan(db):
    """The Qingpu 2022 plan, loaded from its plan file."""
    from carbonpeak.plan.loader import load_plan_file

    return load_plan_file(str(QINGPU_PLAN)).plan


@pytest.fixture
def example_plan(db):
    from carbonpeak.plan.loader import load_plan_file

    return load_plan_file(str(EXAMPLE_PLAN)).plan


TEST_TODAY = "2026-11-25"
"""The platform's today in every test unless the test sets another: no test depends on the calendar."""


@pytest.fixture(autouse=True)
def _fixed_clock(settings):
    settings.CARBONPEAK_TODAY = TEST_TODAY


@pytest.fixture
def clock(settings):
    """`clock("2026-11-25")` fixes the platform's today (carbonpeak.core.clock) for this test, live server included."""
    import datetime as dt

    def set_today(day: str | dt.date) -> dt.date:
        settings.CARBONPEAK_TODAY = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
        return settings.CARBONPEAK_TODAY

    return set_today


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium (Debian's package), one per test session."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `apt-get install chromium` (the test script does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page (own cookies) with `page.base_url` pointing at the live test server.

    The cheap pattern for a browser test: mark the module
    `pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]` and take `page` (plus
    `browser_login`, `qingpu_plan`, `members` as needed). The session starts one Chromium (`browser`) and one live
    server (pytest-django's `live_server`); each test only opens a new browser context (milliseconds). What a
    browser test pays for itself is its data (committed, then flushed after the test) and its page loads, so:
    - one test per user story, not one per assertion; never launch another Chromium or server;
    - load only the demo data the story needs (an app's `load_demo(plan)`, not `call_command("demo")` for all);
    - wait for what the test checks (`expect(locator)…`, `locator.wait_for()`), not fixed sleeps.
    Browser tests run on both passes of scripts/test.sh (they use the database through the live server)."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def _browser_login(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def browser_login():
    """`browser_login(page, username, password)` logs in through the real login form."""
    return _browser_login


MEMBER_ROLES = {  # username: (unit code in the Qingpu plan, role); unit A = 朱家角镇, unit B = 练塘镇
    "office": ("fgw", "admin"),
    "leader": ("fgw", "leader"),
    "reporter-a": ("zhujiajiao", "reporter"),
    "reviewer-a": ("zhujiajiao", "reviewer"),
    "reporter-b": ("liantang", "reporter"),
    "dept-reporter": ("jw", "reporter"),
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Test users' passwords are hashed in microseconds (the production hasher takes most of a second)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def members(qingpu_plan):
    """Users of the Qingpu plan per role (see MEMBER_ROLES), plus `nobody` (logged in, no membership)."""
    return make_members(qingpu_plan, MEMBER_ROLES)


@pytest.fixture
def actors(users):
    """The actor of each of the test module's `users` (a conftest's fixture of that name)."""
    from carbonpeak.tracking.permissions import actor_for_user

    return {name: actor_for_user(user) for name, user in users.items()}


@pytest.fixture
def as_user(client):
    """`as_user(user_or_None)`: the test client logged in as that user (None: anonymous)."""
    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


def _db_state() -> dict:
    """Every row of every Carbonpeak model (plan, tracking, accounting, monitoring, scenarios)."""
    from django.apps import apps

    state = {}
    for model in apps.get_models():
        if model.__module__.startswith("carbonpeak."):
            state[model._meta.label] = sorted(map(repr, model.objects.values_list()))
    return state


@pytest.fixture
def db_state():
    """`db_state()`: a comparable snapshot of all domain rows, to assert that a refused call changed nothing."""
    return _db_state
