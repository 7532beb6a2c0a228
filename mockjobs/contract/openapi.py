"""The OpenAPI document: apispec's, from the schemas that validate requests and build answers."""

from __future__ import annotations

from functools import cache
from importlib.metadata import version
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields, validate

from ..vocabulary import INT64_MAX, JOB_FIELDS, ORIGINS, RESPONSE_FIELDS, STATUSES
from . import answers, control
from .control_operations import CONTROL_PATHS
from .operations import BATCH_PATHS, JOB_PATHS, JOBS, RESOURCE_PATHS, TAGS
from .query import JobQuerySchema, LaxBoolean, LaxDateTime, LaxInteger
from .records import JobSchema

DESCRIPTION = """Retrieve a paginated list of jobs.

Supports ordering, pagination, and filtering via query parameters.

Returns: A paginated list of jobs excluding the result payload. To download results for a
specific job, request a pre-signed URL via GET /api/v1/jobs/{job_id}/results_link."""

HEADERS_NOTE = """Successful Response. A list of responses with pagination information.
For backwards compatibility, this also exposes pagination using the following header format:
  Access-Control-Expose-Headers: Content-Range
  Content-Range: $FIRST_ITEM_IN_BATCH-$LAST_ITEM_IN_BATCH/$TOTAL_ITEMS_AVAILABLE"""


# The named schemas, each after those it nests (so that they nest it by reference).
COMPONENTS: dict[str, Any] = {
    "ProducedPartialJobResponseV2": JobSchema(only=RESPONSE_FIELDS),
    "JSendPagination": answers.JSendPaginationSchema,
    "HeaderPaginatedResponse_ProducedPartialJobResponseV2_": answers.JobListSchema,
    "ValidationError": answers.ValidationErrorSchema,
    "HTTPValidationError": answers.HTTPValidationErrorSchema,
    "JSendFail": answers.JSendFailSchema,
    "JobWithSequence": JobSchema(only=JOB_FIELDS),
    "JobAnswer": answers.JobAnswerSchema,
    "JobStatusAnswer": answers.JobStatusAnswerSchema,
    "ResultsLinkAnswer": answers.ResultsLinkAnswerSchema,
    "Results": answers.ResultsSchema,
    "JobRecord": JobSchema,
    "PartialJobRecord": JobSchema(partial=True),
    "JobsBody": control.JobsBodySchema,
    "AddedJobs": control.AddedJobsAnswerSchema,
    "FaultRuleBody": control.FaultRuleSchema,
    "FaultRule": control.FaultRuleAnswerSchema,
    "ArmedFaultRule": control.ArmedRuleAnswerSchema,
    "FaultRules": control.RulesAnswerSchema,
    "JournalEntry": control.JournalEntrySchema,
    "Journal": control.JournalAnswerSchema,
    "Cleared": control.ClearedAnswerSchema,
    "ClockBody": control.ClockSchema,
    "Clock": control.ClockAnswerSchema,
    "Reset": control.ResetAnswerSchema,
    "FateBody": control.FateSchema,
}
# What JSON Schema says beside the fields: post_load checks that it cannot see.
CHECKS = {"FaultRuleBody": control.HAS_AN_EFFECT, "FateBody": control.NO_ERRORS_WHEN_DONE}
RECORDS = ("JobRecord", "PartialJobRecord")  # the control API's: ids are any text
ENUMS = {"JobStatus": STATUSES, "JobOrigin": ORIGINS}  # by reference wherever they appear

JOB_LIST = {
    "operationId": "get_jobs_api_v2_jobs_get",
    "summary": "Get Jobs",
    "description": DESCRIPTION,
    "tags": [JOBS],
    "parameters": [{"in": "query", "schema": JobQuerySchema}],
    "responses": {
        "200": {
            "description": HEADERS_NOTE,
            "headers": {
                "Content-Range": {"schema": {"type": "string"}, "required": True},
                "Access-Control-Expose-Headers": {
                    "schema": {"type": "string", "const": "Content-Range"},
                    "required": True,
                },
            },
            "content": {"application/json": {"schema": answers.JobListSchema}},
        },
        "422": {
            "description": "Validation Error",
            "content": {"application/json": {"schema": answers.HTTPValidationErrorSchema}},
        },
    },
}


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the served API."""
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)
    spec = APISpec(
        title="Jobs API (GET /api/v2/jobs and what its clients use), served by mockjobs",
        version=version("mockjobs"),
        openapi_version="3.1.0",
        plugins=[plugin],
        tags=TAGS,
    )
    plugin.converter.add_attribute_function(exclusive_bounds)  # type: ignore[union-attr]
    plugin.converter.add_attribute_function(enums_by_reference)  # type: ignore[union-attr]
    plugin.map_to_openapi_type(LaxInteger, "integer", None)
    plugin.map_to_openapi_type(LaxBoolean, "boolean", None)
    plugin.map_to_openapi_type(LaxDateTime, "string", "date-time")
    spec.components.schema(
        "JobStatus",
        {"type": "string", "enum": list(STATUSES), "description": "Job status type enum"},
    )
    spec.components.schema(
        "JobOrigin", {"type": "string", "enum": list(ORIGINS), "description": "Origin of the job"}
    )
    # The token of `--token`: Swagger UI's "Authorize" sends it; without one, none is needed.
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in COMPONENTS.items():
        spec.components.schema(name, CHECKS.get(name), schema=schema)
    spec.path(path="/api/v2/jobs", operations={"get": JOB_LIST})
    for path, operations in (JOB_PATHS | BATCH_PATHS | RESOURCE_PATHS | CONTROL_PATHS).items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{}, {"bearer": []}]  # optional: as `mockjobs serve` is configured
    return tidy(document)


def exclusive_bounds(self: Any, field: fields.Field, ret: dict[str, Any], **kwargs: Any) -> dict:
    """OpenAPI 3.1's exclusiveMinimum/exclusiveMaximum for the bounds that exclude their value."""
    for validator in field.validators:
        if isinstance(validator, validate.Range):
            if validator.min is not None and not validator.min_inclusive:
                ret["exclusiveMinimum"] = ret.pop("minimum")
            if validator.max is not None and not validator.max_inclusive:
                ret["exclusiveMaximum"] = ret.pop("maximum")
    return {}


def enums_by_reference(self: Any, field: fields.Field, ret: dict[str, Any], **kwargs: Any) -> dict:
    """A job status or origin as a reference to its named enum, as the API document has them."""
    for name, values in ENUMS.items():
        if ret.get("enum") == list(values):
            ret.clear()
            ret["$ref"] = f"#/components/schemas/{name}"
    return {}


def tidy(document: dict[str, Any]) -> dict[str, Any]:
    """The job list as the API document has it; the control API's records as mockjobs takes them.

    The store keeps a job's integers in 64 bits and its ids non-empty (records.stored_integer,
    records.non_empty); the job list's schema is the API document's, which states neither, nor
    `default: null`. The job API documents ids as UUIDs, as the real service does, but records
    added take any text for an id (README, differences from the real service).
    """
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["schema"].get("default", "") is None:
                    del parameter["schema"]["default"]
    properties = document["components"]["schemas"]["ProducedPartialJobResponseV2"]["properties"]
    for schema in properties.values():
        schema.pop("minLength", None)
        if schema.get("maximum") == INT64_MAX:
            del schema["minimum"], schema["maximum"]
    for name in RECORDS:
        for schema in document["components"]["schemas"][name]["properties"].values():
            if schema.get("format") == "uuid":
                del schema["format"]
    return document
