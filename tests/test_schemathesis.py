"""schemathesis against the served OpenAPI document, in process through WSGI, all checks on.

Positive and negative data: every response must conform to the document, and every input
the document forbids must be refused with a 4xx, with one exception that the real service
makes too. The document says `format: date-time` and `type: integer`, but FastAPI parses
query strings in pydantic's lax mode, which also takes a Unix timestamp for a date-time,
`1.0` for an integer, `1` for a boolean (SPEC.md section 2). A "negative" query that lax
parsing accepts is therefore answered 200, as the real service answers it: for those
cases the check `negative_data_rejection` is skipped and every other check still runs.
Which strings lax parsing accepts is pinned by tests/test_validation.py and the
differential test against FastAPI itself.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import schemathesis
from flask import request
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection

from mockjobs.app import create_app
from mockjobs.contract.errors import RequestValidationError
from mockjobs.contract.query import parse_query

APP = create_app({"SEED": 300})
# The job list, whose document is the API's; the other paths' answers are checked by their own tests.
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP).include(path="/api/v2/jobs")


def lax_parsing_accepts(query_string: str) -> bool:
    with APP.test_request_context("/api/v2/jobs", query_string=query_string):
        try:
            parse_query(request.args)
        except RequestValidationError:
            return False
    return True


@schema.parametrize()
@settings(
    max_examples=600,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_document(case: schemathesis.Case) -> None:
    response = case.call()
    negative = case.meta is not None and any(
        c.mode.is_negative for c in case.meta.components.values()
    )
    lax = negative and lax_parsing_accepts(urlsplit(response.request.url).query)
    case.validate_response(response, excluded_checks=[negative_data_rejection] if lax else [])
