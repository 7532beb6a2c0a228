"""The service's operations beside the job list, said by their schemas: one job's, the
batches', the workloads', devices' and projects' (the control API's: control_operations.py)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from . import answers, batches, resources

JOBS, BATCHES, RESOURCES, CONTROL = (
    "jobs",
    "batches",
    "workloads, devices, projects",
    "mock control",
)
TAGS = [
    {"name": JOBS, "description": "The job list and what a client of it also uses"},
    {"name": BATCHES, "description": "Batches: what the SDK submits, polls, cancels, retries"},
    {"name": RESOURCES, "description": "The rest of the SDK's surface"},
    {"name": CONTROL, "description": "mockjobs' own control API, under /_mock"},
]


class JobPathSchema(Schema):
    """The path of one job's endpoints."""

    class Meta:
        unknown = RAISE

    # Any text but a slash: what Flask's default converter, `<job_id>`, routes.
    job_id = fields.String(required=True, validate=validate.Regexp(r"^[^/]+$"))


class BatchPathSchema(Schema):
    class Meta:
        unknown = RAISE

    batch_id = fields.String(required=True, validate=validate.Regexp(r"^[^/]+$"))


class WorkloadPathSchema(Schema):
    class Meta:
        unknown = RAISE

    workload_id = fields.String(required=True, validate=validate.Regexp(r"^[^/]+$"))


def answer(schema: Any, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def body(schema: Any) -> dict[str, Any]:
    """A JSON body: a POST to the control API must say `Content-Type: application/json`."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


UNKNOWN_JOB = answer(answers.JSendFailSchema, "JSend fail: no job has this id")
INVALID = answer(
    answers.HTTPValidationErrorSchema, "Validation Error: the body or the query, refused"
)


def job_operation(summary: str, responses: dict[str, Any]) -> dict[str, Any]:
    """An operation on one job, by its id (an unknown one is a 404 JSend fail)."""
    return {
        "summary": summary,
        "tags": [JOBS],
        "parameters": [{"in": "path", "schema": JobPathSchema}],
        "responses": {"404": UNKNOWN_JOB, **responses},
    }


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

UNKNOWN_BATCH = answer(answers.JSendFailSchema, "JSend fail: no batch has this id")
REFUSED = answer(answers.JSendFailSchema, "JSend fail: the batch's state does not allow it")
BATCH = answer(batches.BatchAnswerSchema, "The batch")
GZIP = (
    "JSON, or gzip-compressed JSON with `Content-Encoding: gzip` (as the SDK sends it): at"
    " most 16 MiB either way (413); a body that is not gzip is a 400 JSend fail"
)


def batch_operation(summary: str, responses: dict[str, Any], **more: Any) -> dict[str, Any]:
    """An operation on one batch, by its id (an unknown one is a 404 JSend fail)."""
    return {
        "summary": summary,
        "tags": [BATCHES],
        "parameters": [{"in": "path", "schema": BatchPathSchema}, *more.pop("parameters", [])],
        "responses": {"404": UNKNOWN_BATCH, **responses},
        **more,
    }


def json_body(schema: Any, description: str = GZIP) -> dict[str, Any]:
    return {"required": True, "description": description,
            "content": {"application/json": {"schema": schema}}}  # fmt: skip


JOB_LIST_BODY = {"type": "array", "items": batches.JobCreateSchema}
SELECTION = [{"in": "query", "schema": batches.JobSelectionSchema}]
BATCH_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/batches": {
        "post": {
            "summary": "Create Batch: its jobs queue on its device now",
            "tags": [BATCHES],
            "requestBody": json_body(batches.BatchCreateSchema),
            "responses": {"200": BATCH, "422": INVALID},
        },
        "get": {
            "summary": "Get Batches: the SDK's BatchFilters, newest first",
            "tags": [BATCHES],
            "parameters": [{"in": "query", "schema": batches.BatchQuerySchema}],
            "responses": {
                "200": answer(batches.BatchListSchema, "A page of batches (and Content-Range)"),
                "422": INVALID,
            },
        },
    },
    "/api/v2/batches/{batch_id}": {
        "get": batch_operation("Get Batch", {"200": BATCH}),
    },
    "/api/v1/batches/{batch_id}/status": {
        "get": batch_operation(
            "Get Batch Status (in fast-forward mode, a submitted batch is done by then)",
            {"200": answer(batches.BatchStatusAnswerSchema, "Its status and jobs by status")},
        ),
    },
    "/api/v2/batches/{batch_id}/complete": {
        "patch": batch_operation("Close Batch", {"200": BATCH, "400": REFUSED}),
    },
    "/api/v2/batches/{batch_id}/jobs": {
        "post": batch_operation(
            "Add Jobs to an open batch",
            {"200": BATCH, "400": REFUSED, "422": INVALID},
            requestBody=json_body(JOB_LIST_BODY),
        ),
    },
    "/api/v2/batches/{batch_id}/cancel": {
        "patch": batch_operation(
            "Cancel Batch and its unfinished jobs", {"200": BATCH, "400": REFUSED}
        ),
    },
    "/api/v1/batches/cancel": {
        "patch": {
            "summary": "Cancel Batches: each cancelled, or why not",
            "tags": [BATCHES],
            "requestBody": json_body(batches.CancelBatchesSchema),
            "responses": {
                "200": answer(batches.CancelledBatchesAnswerSchema, "Cancelled, and errors by id"),
                "422": INVALID,
            },
        },
    },
    "/api/v2/batches/{batch_id}/cancel/jobs": {
        "patch": batch_operation(
            "Cancel the selected jobs of a batch",
            {
                "200": answer(batches.CancelledJobsAnswerSchema, "Cancelled, and errors by id"),
                "422": INVALID,
            },
            parameters=SELECTION,
        ),
    },
    "/api/v1/batches/{batch_id}/rebatch": {
        "post": batch_operation(
            "Rebatch: a new closed batch of copies of the selected jobs",
            {
                "200": BATCH,
                "400": answer(answers.JSendFailSchema, "JSend fail: no job selected"),
                "422": INVALID,
            },
            parameters=SELECTION,
        ),
    },
    "/api/v1/batches/{batch_id}/tags": {
        "patch": batch_operation(
            "Set Batch Tags (replacing its tags)",
            {"200": BATCH, "422": INVALID},
            requestBody=json_body({"type": "array", "items": {"type": "string"}}, "The tags"),
        ),
    },
}


def resource(summary: str, responses: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"summary": summary, "tags": [RESOURCES], "responses": responses, **more}


WORKLOAD = answer(resources.WorkloadAnswerSchema, "The workload")
WORKLOAD_PATH = [{"in": "path", "schema": WorkloadPathSchema}]
UNKNOWN_WORKLOAD = answer(answers.JSendFailSchema, "JSend fail: no workload has this id")
RESOURCE_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/workloads": {
        "post": resource(
            "Create Workload",
            {"200": WORKLOAD, "422": INVALID},
            requestBody=json_body(resources.WorkloadCreateSchema, "The workload"),
        ),
    },
    "/api/v2/workloads/{workload_id}": {
        "get": resource(
            "Get Workload", {"200": WORKLOAD, "404": UNKNOWN_WORKLOAD}, parameters=WORKLOAD_PATH
        ),
    },
    "/api/v1/workloads/{workload_id}/cancel": {
        "put": resource(
            "Cancel Workload",
            {
                "200": WORKLOAD,
                "400": answer(answers.JSendFailSchema, "JSend fail: it is final"),
                "404": UNKNOWN_WORKLOAD,
            },
            parameters=WORKLOAD_PATH,
        ),
    },
    "/results/workloads/{workload_id}": {
        "get": resource(
            "Download a workload's result (its result link; no token)",
            {
                "200": answer({"type": "object"}, "What it ran: workload_type, backend, config"),
                "404": answer(answers.JSendFailSchema, "JSend fail: none, or not DONE"),
            },
            parameters=WORKLOAD_PATH,
        ),
    },
    "/api/v1/devices/specs": {
        "get": resource(
            "Get Device Specs", {"200": answer(resources.DeviceSpecsAnswerSchema, "By device type")}
        ),
    },
    "/api/v1/devices/public-specs": {
        "get": resource(
            "Get Public Device Specs (no token needed)",
            {"200": answer(resources.PublicDevicesAnswerSchema, "The devices")},
            security=[],
        ),
    },
    "/api/v1/projects": {
        "get": resource(
            "Get Projects (the account API's)",
            {"200": answer(resources.ProjectsAnswerSchema, "The projects"), "422": INVALID},
            parameters=[{"in": "query", "schema": resources.ProjectQuerySchema}],
        ),
    },
}
