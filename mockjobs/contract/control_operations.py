"""The control API's operations (mockjobs' own, under /_mock), said by their schemas."""

from __future__ import annotations

from typing import Any

from . import answers, control
from .operations import CONTROL, INVALID, answer, body
from .query import JournalQuerySchema
from .records import JobSchema

CLEARED = answer(control.ClearedAnswerSchema, "Cleared: no entries left")
NOT_JSON = answer(answers.DetailSchema, "Unsupported Media Type: a POST here is JSON only")


def control_operation(
    summary: str, responses: dict[str, Any], *, post: bool = False, **more: Any
) -> dict[str, Any]:
    """A control API operation; a POST must say it is JSON (no page can, unpreflighted)."""
    if post:
        responses = {**responses, "415": NOT_JSON}
    return {"summary": summary, "tags": [CONTROL], "responses": responses, **more}


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
    "/_mock/fates": {
        "post": control_operation(
            "Decide how the next submitted jobs end (DONE, or ERROR with messages)",
            {
                "201": answer(control.FatesAnswerSchema, "Every fate pending, in order"),
                "422": INVALID,
            },
            requestBody=body(control.FateSchema),
            post=True,
        ),
        "get": control_operation(
            "The fates pending", {"200": answer(control.FatesAnswerSchema, "In order")}
        ),
        "delete": control_operation("Forget the fates pending", {"200": CLEARED}),
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
