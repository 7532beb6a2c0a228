"""schemathesis against the served OpenAPI document, in process through WSGI, all checks on.

Every operation of the document, positive and negative data: every response must conform to
the document, and every input the document forbids must be refused with a 4xx. Reads run on
one app; calls that change state (arming a fault, moving the clock, adding jobs, reset,
cancel, clearing) on another, reset after each call, so that no call sees another's effects.

One exception, which the real service makes too: the job list's document says
`format: date-time` and `type: integer`, but FastAPI parses query strings in pydantic's lax
mode, which also takes a Unix timestamp for a date-time, `1.0` for an integer, `1` for a
boolean (SPEC.md section 2). A "negative" query that lax parsing accepts is therefore answered
200, as the real service answers it: for those cases the check `negative_data_rejection` is
skipped and every other check still runs. Which strings lax parsing accepts is pinned by
tests/test_validation.py and the differential test against FastAPI itself.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import schemathesis
from flask import Flask, request
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from mockjobs.app import create_app
from mockjobs.contract.batches import (
    ADD_JOBS,
    TAGS,
    BatchCreateSchema,
    BatchQuerySchema,
    CancelBatchesSchema,
    JobSelectionSchema,
)
from mockjobs.contract.body_fields import load_body
from mockjobs.contract.errors import RequestValidationError
from mockjobs.contract.query import JOURNAL_QUERY, QUERY_SCHEMA, parse_query
from mockjobs.contract.resources import ProjectQuerySchema, WorkloadCreateSchema
from mockjobs.vocabulary import DEFAULT_RANDOM_SEED

READS = create_app({"SEED": 300})
WRITES = create_app({"SEED": 20})


def armed_rules(app: Flask) -> None:
    """Rules that no generated request matches, one used up: GET /_mock/faults lists them."""
    client = app.test_client()
    for rule in (
        {"method": "DELETE", "path": "/nowhere", "status": 503, "times": 1, "retry_after": 2},
        {"method": "PUT", "path": "/elsewhere", "query": {"a": "b"}, "drop": True},
    ):
        assert client.post("/_mock/faults", json=rule).status_code == 201
    assert client.delete("/nowhere").status_code == 503  # journaled, with its error answer


armed_rules(READS)
LIST = "/api/v2/jobs"
job_list = schemathesis.openapi.from_wsgi("/openapi.json", READS).include(path=LIST)
reads = (
    schemathesis.openapi.from_wsgi("/openapi.json", READS).include(method="GET").exclude(path=LIST)
)
writes = schemathesis.openapi.from_wsgi("/openapi.json", WRITES).exclude(method="GET")
SETTINGS = settings(
    deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def known_ids(app: Flask) -> Any:
    """A hook: a path's `job_id` or `batch_id` is often one of the app's, not only a random one."""
    client = app.test_client()
    known = {
        "job_id": [job["id"] for job in client.get(f"{LIST}?limit=100").json["data"]],
        "batch_id": [batch["id"] for batch in client.get("/api/v1/batches").json["data"]],
    }

    def flatmap_path_parameters(context: Any, parameters: dict[str, Any] | None) -> Any:
        for name, ids in known.items():
            given = (parameters or {}).get(name)
            if isinstance(given, str) and given and "/" not in given:  # negative data stays so
                return st.just(parameters) | st.sampled_from(ids).map(
                    lambda known_id, name=name: {**parameters, name: known_id}
                )
        return st.just(parameters)

    return flatmap_path_parameters


# The operations whose query FastAPI parses in lax mode, with the schema that parses it here.
QUERIES = {
    LIST: QUERY_SCHEMA,
    "/api/v1/batches": BatchQuerySchema(),
    "/api/v2/batches/{batch_id}/cancel/jobs": JobSelectionSchema(),
    "/api/v1/batches/{batch_id}/rebatch": JobSelectionSchema(),
    "/api/v1/projects": ProjectQuerySchema(),
    "/_mock/requests": JOURNAL_QUERY,
}
# The operations whose JSON body pydantic validates in lax mode (`"5"` is an integer).
BODIES = {
    "/api/v1/batches": (BatchCreateSchema(), None),
    "/api/v2/batches/{batch_id}/jobs": (None, ADD_JOBS),
    "/api/v1/batches/{batch_id}/tags": (None, TAGS),
    "/api/v1/batches/cancel": (CancelBatchesSchema(), None),
    "/api/v1/workloads": (WorkloadCreateSchema(), None),
}


def lax_parsing_accepts(case: schemathesis.Case, query_string: str) -> bool:
    """Whether what the case sends (a negative case for its schema) parses all the same."""
    path = case.operation.path
    if path in QUERIES:
        with READS.test_request_context(LIST, query_string=query_string):
            try:
                parse_query(request.args, schema=QUERIES[path])
            except RequestValidationError:
                return False
    if path in BODIES and case.body is not NOT_SET:
        try:
            load_body(*BODIES[path][:1], case.body, BODIES[path][1])
        except RequestValidationError:
            return False
    return path in QUERIES or path in BODIES


def is_negative(case: schemathesis.Case) -> bool:
    return case.meta is not None and any(c.mode.is_negative for c in case.meta.components.values())


@job_list.parametrize()
@settings(SETTINGS, max_examples=600)
def test_the_job_list_conforms_to_its_document(case: schemathesis.Case) -> None:
    response = case.call()
    lax = is_negative(case) and lax_parsing_accepts(case, urlsplit(response.request.url).query)
    case.validate_response(response, excluded_checks=[negative_data_rejection] if lax else [])


@reads.hooks.apply(known_ids(READS))
@reads.parametrize()
@settings(SETTINGS, max_examples=150)
def test_reads_conform_to_the_document(case: schemathesis.Case) -> None:
    response = case.call()
    lax = is_negative(case) and lax_parsing_accepts(case, urlsplit(response.request.url).query)
    case.validate_response(response, excluded_checks=[negative_data_rejection] if lax else [])


def refused_for_state(case: schemathesis.Case, response: Any) -> bool:
    """A valid request refused for what no schema can say, answered as documented.

    A final job's cancellation is a 400 JSend fail (README, "The API"); a record whose id is
    taken (by another record of the body, or by a stored job) is a 422 naming it; so is a
    record whose fields contradict its status (a DONE job with progress 0), a rule between
    fields, and one whose instants are outside 1970 to 9000 (a range JSON Schema cannot give
    a date-time; the document says it in words). These depend on the data held or on several fields at once, not on the shape of
    each, which is all that a schema says: the check
    `positive_data_acceptance` cannot apply to them. Every other check still runs, the
    answer's conformance to the documented 400 or 422 too.
    """
    if case.operation.path == "/api/v2/jobs/{job_id}/cancel":
        return response.status_code == 400
    if case.operation.path.startswith("/api/v") and response.status_code == 400:
        return response.json()["status"] == "fail"  # a batch closed, final; nothing to rebatch
    if case.operation.path == "/api/v1/workloads/{workload_id}/cancel":
        return response.status_code == 400
    if case.operation.path == "/api/v1/batches" and response.status_code == 422:
        detail = response.json()["detail"]  # a rule between fields: a pydantic model validator
        return len(detail) == 1 and detail[0]["msg"].startswith("Value error, ")
    if case.operation.path == "/_mock/reset" and response.status_code == 422:
        detail = response.json()["detail"]  # fixture files the server cannot read
        return all(error["loc"] == ["body", "fixtures"] for error in detail)
    if case.operation.path == "/_mock/jobs" and response.status_code == 422:
        detail = response.json()["detail"]  # every record's errors at once
        return all(
            error["msg"].startswith(("duplicate id", "contradicts", "Must be from 1970"))
            for error in detail
        )
    return False


def a_few_jobs(case: schemathesis.Case) -> None:
    """A reset generates a few jobs, not up to the million its document allows (the coverage
    phase sends the maximum: 200 s of generation)."""
    if case.operation.path == "/_mock/reset" and isinstance(case.body, dict):
        seed = case.body.get("seed")
        if isinstance(seed, int) and not isinstance(seed, bool) and seed > 50:
            case.body = {**case.body, "seed": seed % 50}


@writes.hooks.apply(known_ids(WRITES))
@writes.parametrize()
@settings(SETTINGS, max_examples=150)
def test_writes_conform_to_the_document(case: schemathesis.Case) -> None:
    a_few_jobs(case)
    try:
        response = case.call()
        refused = refused_for_state(case, response)
        lax = is_negative(case) and lax_parsing_accepts(case, urlsplit(response.request.url).query)
        excluded = [positive_data_acceptance] if refused else []
        case.validate_response(
            response, excluded_checks=excluded + ([negative_data_rejection] if lax else [])
        )
    finally:
        WRITES.extensions["mockjobs"].reset(seed=20, random_seed=DEFAULT_RANDOM_SEED, fixtures=())
