"""schemathesis generates requests from the OpenAPI document and checks every response against it."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

# Hundreds of generated requests: left out of the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def api_schema(tmp_path_factory):
    from conftest import app_client, make_corpus

    from indexer import reindex

    root = tmp_path_factory.mktemp("schemathesis")
    corpus, index = make_corpus(root), root / "index"
    reindex(corpus, index)
    # Writes are enabled with a token schemathesis does not know: every write it tries must be a 401.
    client, service = app_client(corpus, index, admin_token="not-for-schemathesis", data_dir=root / "data")
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", client.app)
    service.close()


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case):
    # A date can match the documented pattern and still not exist (2017-02-30), or come after the other
    # bound; those get a 400 by design, which JSON Schema cannot express, so only that check is excused.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
