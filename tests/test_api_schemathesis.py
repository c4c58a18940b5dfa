"""Property-based test of the API against its own OpenAPI document (schemathesis).

A bounded number of generated requests per operation, with a write token of a Redaktion
account: no response may be a server error, and every response must fit the schema the
document declares for its status. (Operations are driven by hand with Hypothesis; the
schemathesis pytest plugin does not run on this pytest version.)
"""

from __future__ import annotations

import pytest
import schemathesis
from api_helpers import token_for
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

#: What the issue asks (no 5xx, no response outside its schema), plus documented statuses and
#: content types. Left out: "positive data accepted" — values such as an AGS or an event
#: slug are valid only if they exist in the database, which a schema cannot say.
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
MAX_EXAMPLES = 10


# schemathesis's WSGI transport never closes a streamed (send_file) response; our own
# download tests close theirs, so the warning here says nothing about kb.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_api_conforms_to_its_document(app, kb, add_user, make_item):
    make_item("Wohnsitzauflage und Integrationskurs", title="Beispiel", districts=["15002"])
    app.config["KB_RATELIMIT_API"] = "100000/minute"
    app.config["PROPAGATE_EXCEPTIONS"] = False
    token = token_for(kb, add_user("red", "redaktion"), "write", "redaktion")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            assert response.status_code < 500, (
                case.method,
                case.formatted_path,
                response.text[:300],
            )
            case.validate_response(response, checks=CHECKS)

        check()
