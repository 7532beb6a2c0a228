"""The operations beside the job list, said by their schemas: one job's, the control API's."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from . import answers, control
from .query import JournalQuerySchema
from .records import JobSchema

JOBS, CONTROL = "jobs", "mock control"
TAGS = [
    {"name": JOBS, "description": "The job list and what a client of it also uses"},
    {"name": CONTROL, "description": "mockjobs' own control API, under /_mock"},
]


class JobPathSchema(Schema):
    """The path of one job's endpoints."""

    class Meta:
        unknown = RAISE

    # Any text but a slash: what Flask's default converter, `<job_id>`, routes.
    job_id = fields.String(required=True, validate=validate.Regexp(r"^[^/]+$"))


def answer(schema: Any, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def body(schema: Any) -> dict[str, Any]:
    """A JSON body: a POST to the control API must say `Content-Type: application/json`."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


UNKNOWN_JOB = answer(answers.JSendFailSchema, "JSend fail: no job has this id")
INVALID = answer(
    answers.HTTPValidationErrorSchema, "Validation Error: the body or the query, refused"
)
CLEARED = answer(control.ClearedAnswerSchema, "Cleared: no entries left")


def job_operation(summary: str, responses: dict[str, Any]) -> dict[str, Any]:
    """An operation on one job, by its id (an unknown one is a 404 JSend fail)."""
    return {
        "summary": summary,
        "tags": [JOBS],
        "parameters": [{"in": "path", "schema": JobPathSchema}],
        "responses": {"404": UNKNOWN_JOB, **responses},
    }


NOT_JSON = answer(answers.DetailSchema, "Unsupported Media Type: a POST here is JSON only")


def control_operation(
    summary: str, responses: dict[str, Any], *, post: bool = False, **more: Any
) -> dict[str, Any]:
    """A control API operation; a POST must say it is JSON (no page can, unpreflighted)."""
    if post:
        responses = {**responses, "415": NOT_JSON}
    return {"summary": summary, "tags": [CONTROL], "responses": responses, **more}


RESULTS = (
    "The job's results: for a job that stores none, generated ones, `runs` samples (`raw`) and "
    "their counts (`counter`); a result stored with a record is served as it was given"
)
JOB_PATHS: dict[str, dict[str, Any]] = {
    "/api/v2/jobs/{job_id}": {
        "get": job_operation(
            "Get Job", {"200": answer(answers.JobAnswerSchema, "The list's 16 keys and sequence")}
        )
    },
    "/api/v1/jobs/{job_id}/status": {
        "get": job_operation(
            "Get Job Status", {"200": answer(answers.JobStatusAnswerSchema, "Its id and status")}
        )
    },
    "/api/v1/jobs/{job_id}/results_link": {
        "get": job_operation(
            "Get Job Results Link",
            {"200": answer(answers.ResultsLinkAnswerSchema, "Where its results are; null: none")},
        )
    },
    "/results/{job_id}": {
        "get": job_operation(
            "Download Job Results (the results link; no token, as a pre-signed URL)",
            {
                "200": answer(answers.ResultsSchema, RESULTS),
                "404": answer(answers.JSendFailSchema, "JSend fail: no such job, or no results"),
            },
        )
    },
    "/api/v2/jobs/{job_id}/cancel": {
        "patch": job_operation(
            "Cancel Job",
            {
                "200": answer(answers.JobAnswerSchema, "The job, CANCELED now"),
                "400": answer(answers.JSendFailSchema, "JSend fail: the job is in a final state"),
            },
        )
    },
}

# A list of records, or `{"jobs": [...]}`, as a fixture file (data.fixtures.parse_records).
RECORDS = {"oneOf": [{"type": "array", "items": JobSchema(partial=True)}, control.JobsBodySchema]}
CLOCK = answer(control.ClockAnswerSchema, "The mock's clock, now")
JOURNAL = answer(control.JournalAnswerSchema, "The requests received, oldest first")
RULES = answer(control.RulesAnswerSchema, "The rules, in the order they were armed")
CONTROL_PATHS: dict[str, dict[str, Any]] = {
    "/_mock/reset": {
        "post": control_operation(
            "Back to the configured data set; journal, faults and clock afresh",
            {"200": answer(control.ResetAnswerSchema, "Reset"), "422": INVALID},
            requestBody=body(control.ResetSchema),
            post=True,
        )
    },
    "/_mock/jobs": {
        "post": control_operation(
            "Add job records (partial ones completed), all or nothing",
            {
                "201": answer(control.AddedJobsAnswerSchema, "The records added, completed"),
                "422": INVALID,
            },
            requestBody=body(RECORDS),
            post=True,
        )
    },
    "/_mock/requests": {
        "get": control_operation(
            "The journal of requests received: `limit` the newest, after skipping `offset`",
            {"200": JOURNAL, "422": INVALID},
            parameters=[{"in": "query", "schema": JournalQuerySchema}],
        ),
        "delete": control_operation("Clear the journal", {"200": CLEARED}),
    },
    "/_mock/faults": {
        "post": control_operation(
            "Arm a fault rule",
            {"201": answer(control.ArmedRuleAnswerSchema, "The rule armed"), "422": INVALID},
            requestBody=body(control.FaultRuleSchema),
            post=True,
        ),
        "get": control_operation("The armed rules", {"200": RULES}),
        "delete": control_operation("Clear the rules", {"200": CLEARED}),
    },
    "/_mock/clock": {
        "get": control_operation("The mock's clock", {"200": CLOCK}),
        "post": control_operation(
            "Move the clock forward (with lifecycle on, jobs follow)",
            {"200": CLOCK, "422": INVALID},
            requestBody=body(control.ClockSchema),
            post=True,
        ),
    },
}
