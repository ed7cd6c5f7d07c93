"""Schemathesis against the live schema: every operation, as the demo annotator with a token.

Each operation is called with generated valid and invalid input (schemathesis's examples,
coverage and fuzzing phases, a bounded number of examples); no response may be a server error,
and every response must match the schema: its status code, content type and body.
"""

import json

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.db import close_old_connections
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from annotator.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keep_connection():
    """Calls go straight to the WSGI application, whose request_finished handler would close
    the database connection, and with it the test's transaction, on PostgreSQL. Django's test
    client disconnects it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def annotator_token(db, settings, keep_connection):
    """The demo project as seed_demo makes it, and a token of its annotator alice."""
    settings.DEBUG = True
    call_command("seed_demo", "--password", "pw", verbosity=0)
    settings.DEBUG = False
    cache.clear()  # throttle counters from other tests
    token, _ = Token.objects.get_or_create(user=get_user_model().objects.get(username="alice"))
    return token.key


def _served_schema() -> dict:
    """The document /api/schema/ serves, built without a request: schemathesis parametrizes at
    collection time, before the test database (and a token to fetch it with) exists.
    ``test_it_tests_the_schema_that_is_served`` checks the two are the same."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(_served_schema())
schema.app = application  # requests go through the WSGI application, in process


def test_it_tests_the_schema_that_is_served(annotator_token):
    response = Client().get(
        "/api/schema/",
        HTTP_ACCEPT="application/vnd.oai.openapi+json",
        HTTP_AUTHORIZATION=f"Token {annotator_token}",
    )
    assert response.status_code == 200
    assert response.json() == _served_schema()


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_it_answers_every_generated_request_within_the_schema(case, annotator_token):
    case.call_and_validate(headers={"Authorization": f"Token {annotator_token}"}, checks=CHECKS)
