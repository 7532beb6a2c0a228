"""The OpenAPI paths beside the job list: one job's endpoints, and the /_mock control API."""

from __future__ import annotations

from typing import Any

from ..vocabulary import FAULT_STATUSES

JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}
FAIL = {
    "description": "JSend fail: unknown job (404), or a job in a final state (400)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JSendFail"}}},
}
INVALID = {
    "description": "Validation Error",
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}
    },
}


def jsend(data: dict[str, Any], description: str = "Successful Response") -> dict[str, Any]:
    schema = {
        "type": "object",
        "required": ["status", "message", "code", "data"],
        "properties": {"status": {"const": "success"}, "message": {"type": "string"},
                       "code": {"type": "string"}, "data": data},
    }  # fmt: skip
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


JOB = {"$ref": "#/components/schemas/JobWithSequence"}
OBJECT = {"type": "object"}
FAULT_RULE = {
    "type": "object",
    "required": ["path"],
    "additionalProperties": False,
    "properties": {
        "method": {"enum": ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"], "default": "GET"},
        "path": {"type": "string", "pattern": "^/(?!_mock(/|$))"},
        "query": {"type": "object", "additionalProperties": {"type": "string"}},
        "status": {"enum": list(FAULT_STATUSES)},
        "times": {"type": "integer", "minimum": 1},
        "delay_ms": {"type": "integer", "minimum": 0, "maximum": 60000},
        "retry_after": {"type": "integer", "minimum": 0},
        "drop": {"type": "boolean"},
    },
}

JOB_PATHS: dict[str, dict[str, Any]] = {
    "/api/v2/jobs/{job_id}": {"get": {
        "summary": "Get Job", "tags": ["jobs"], "parameters": [JOB_ID],
        "responses": {"200": jsend(JOB), "404": FAIL}}},
    "/api/v1/jobs/{job_id}/status": {"get": {
        "summary": "Get Job Status", "tags": ["jobs"], "parameters": [JOB_ID],
        "responses": {"200": jsend({"type": "object", "required": ["id", "status"], "properties": {
            "id": {"type": "string"}, "status": {"$ref": "#/components/schemas/JobStatus"}}}),
            "404": FAIL}}},
    "/api/v1/jobs/{job_id}/results_link": {"get": {
        "summary": "Get Job Results Link", "tags": ["jobs"], "parameters": [JOB_ID],
        "responses": {"200": jsend({"type": "object", "required": ["results_link"], "properties": {
            "results_link": {"type": ["string", "null"], "format": "uri"}}}), "404": FAIL}}},
    "/results/{job_id}": {"get": {
        "summary": "Download Job Results (the results link; no token, as a pre-signed URL)",
        "tags": ["jobs"], "parameters": [JOB_ID],
        "responses": {"200": {"description": "The result: counter and raw samples",
                              "content": {"application/json": {"schema": OBJECT}}}, "404": FAIL}}},
    "/api/v2/jobs/{job_id}/cancel": {"patch": {
        "summary": "Cancel Job", "tags": ["jobs"], "parameters": [JOB_ID],
        "responses": {"200": jsend(JOB), "400": FAIL, "404": FAIL}}},
}  # fmt: skip

CONTROL_PATHS: dict[str, dict[str, Any]] = {
    "/_mock/reset": {"post": {
        "summary": "Back to the configured data set; journal, faults and clock cleared",
        "tags": ["mock control"], "responses": {"200": {"description": '{"status": "ok"}'}}}},
    "/_mock/jobs": {"post": {
        "summary": "Add job records (partial ones completed), all or nothing", "tags": ["mock control"],
        "requestBody": body({"oneOf": [{"type": "array", "items": OBJECT},
                                       {"type": "object", "required": ["jobs"]}]}),
        "responses": {"201": {"description": '{"data": [complete records]}'}, "422": INVALID}}},
    "/_mock/requests": {
        "get": {"summary": "The journal of requests received, oldest first", "tags": ["mock control"],
                "responses": {"200": {"description": '{"data": [{"method", "path", "query", "headers", "status", "time", "response"}]}'}}},
        "delete": {"summary": "Clear the journal", "tags": ["mock control"],
                   "responses": {"200": {"description": '{"data": []}'}}}},
    "/_mock/faults": {
        "post": {"summary": "Arm a fault rule", "tags": ["mock control"], "requestBody": body(FAULT_RULE),
                 "responses": {"201": {"description": '{"data": rule with its id}'}, "422": INVALID}},
        "get": {"summary": "The armed rules", "tags": ["mock control"],
                "responses": {"200": {"description": '{"data": [rules]}'}}},
        "delete": {"summary": "Clear the rules", "tags": ["mock control"],
                   "responses": {"200": {"description": '{"data": []}'}}}},
    "/_mock/clock": {
        "get": {"summary": "The mock's clock", "tags": ["mock control"],
                "responses": {"200": {"description": '{"now": timestamp}'}}},
        "post": {"summary": "Move the clock forward (with lifecycle on, jobs follow)", "tags": ["mock control"],
                 "requestBody": body({"type": "object", "required": ["advance"], "additionalProperties": False,
                                      "properties": {"advance": {"type": "number", "minimum": 0}}}),
                 "responses": {"200": {"description": '{"now": timestamp}'}, "422": INVALID}}},
}  # fmt: skip

COMPONENTS = {
    "JSendFail": {
        "type": "object",
        "required": ["status", "message", "code", "data"],
        "properties": {
            "status": {"const": "fail"},
            "message": {"type": "string"},
            "code": {"type": "string"},
            "data": {"type": "null"},
        },
    },
    "JobWithSequence": {
        "allOf": [
            {"$ref": "#/components/schemas/ProducedPartialJobResponseV2"},
            {"type": "object", "properties": {"sequence": {"type": ["string", "null"]}}},
        ]
    },
}
TAGS = [
    {"name": "jobs", "description": "The job list and what a client of it also uses"},
    {"name": "mock control", "description": "mockjobs' own control API, under /_mock"},
]
