"""Schemathesis over the API's own schema, in process against the WSGI application, signed in with a token:
whatever it sends that the schema allows (and, in negative mode, what it does not), the API never answers 5xx.

Bounded: DOLUONG_FUZZ_EXAMPLES examples per operation and mode (default 3), no shrinking, no example database.
(Schemathesis' pytest plugin — ``from_fixture`` / ``parametrize`` — does not run under pytest 9.2 yet, so the
operations are driven here with each operation's Hypothesis strategy.)
"""

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from doluong.api.models import ApiToken
from doluong.core.roles import Role

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("DOLUONG_FUZZ_EXAMPLES", "3"))


@pytest.fixture
def _keep_the_test_connection():
    """The WSGI handler closes old connections after each request; inside a test's transaction it must not (as
    Django's own test client does)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world, settings, _keep_the_test_connection):
    rates = {"token": None, "token_bulk": None}  # not throttled: the fuzzer sends many requests
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    _token, key = ApiToken.issue(world.users[Role.OFFICER], "fuzz")
    headers = {"Authorization": f"Bearer {key}", "Accept-Language": "en"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), headers=headers)
    return schema, headers


def _run(operation, mode, headers, calls):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None, phases=("explicit", "generate"))
    def check(case):
        response = case.call(headers=headers)
        calls.append(response.status_code)
        case.validate_response(response, checks=[not_a_server_error])

    check()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_error(api_schema, mode):
    schema, headers = api_schema
    failures, calls = [], []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100
    for operation in operations:
        try:
            _run(operation, mode, headers, calls)
        except Exception as exc:  # collect every failing operation, not only the first
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:600]}")
    assert failures == [], "\n\n".join(failures)
    assert len(calls) >= len(operations)  # every operation was called
    if mode == GenerationMode.NEGATIVE:
        assert sum(400 <= c < 500 for c in calls) > len(operations) / 2  # and mostly refused, not accepted
