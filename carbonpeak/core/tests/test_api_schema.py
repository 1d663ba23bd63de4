"""Schemathesis against /api/openapi.json: generated requests to every operation, anonymous, as the district
office's session and as a unit's API token. No answer may be a 500, and every answer must be documented (status
code, content type, body schema)."""

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 5


def _failures(headers: dict[str, str]) -> dict[str, str]:
    from carbonpeak.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    failures = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=timedelta(seconds=10), database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # noqa: BLE001 - collect every operation's first failure, then report them all
            failures[operation.label] = str(exc)[:1500]
    return failures


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The calls go straight to the WSGI application, whose request signals would close the test transaction's
    database connection (PostgreSQL); Django's test client disconnects them the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def data(members, qingpu_plan):
    from carbonpeak.accounting.demo import load_demo

    load_demo(qingpu_plan)


@pytest.mark.django_db
def test_api_anonymous(data):
    assert _failures({}) == {}


@pytest.mark.django_db
def test_api_office_session(data, client, members):
    client.force_login(members["office"])
    cookie = client.cookies["sessionid"].value
    assert _failures({"Cookie": f"sessionid={cookie}"}) == {}


@pytest.mark.django_db
def test_api_unit_token(data, members, qingpu_plan):
    from carbonpeak.tracking.models import ApiToken

    _token, raw = ApiToken.generate(name="schemathesis", unit=qingpu_plan.units.get(code="zhujiajiao"),
                                    created_by=members["reporter-a"])
    assert _failures({"Authorization": f"Bearer {raw}"}) == {}
