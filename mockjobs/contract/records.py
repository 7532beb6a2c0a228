"""The job record: fixture files and the control API in, API responses out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..vocabulary import (
    EARLIEST,
    INT64_MAX,
    INT64_MIN,
    LATEST,
    ORIGINS,
    STATUSES,
    format_timestamp,
)
from .json_fields import JsonInteger


class Timestamp(fields.DateTime):
    """An instant: RFC 3339 in, aware UTC inside, `2025-01-15T10:30:00Z` out.

    Within EARLIEST and LATEST, which the document says in words: JSON Schema has no range for
    a date-time.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {})["description"] = (
            f"From {format_timestamp(EARLIEST)} to before {format_timestamp(LATEST)}"
        )
        super().__init__(**kwargs)

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format_timestamp(value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str):
            raise self.make_error("invalid", input=value, obj_type="datetime")
        try:
            parsed = datetime.fromisoformat(value)
            parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        except (ValueError, OverflowError):  # not a date-time, or one outside years 1 to 9999 UTC
            raise self.make_error("invalid", input=value, obj_type="datetime") from None
        if not EARLIEST <= parsed < LATEST:
            raise ValidationError(
                f"Must be from {format_timestamp(EARLIEST)} to before {format_timestamp(LATEST)}."
            )
        return parsed


# Fits the 64-bit integer column (the API document's job bounds nothing; openapi.py says so).
stored_integer = validate.Range(
    INT64_MIN, INT64_MAX, error="Must be a 64-bit integer, from {min} to {max}."
)


non_empty = validate.Length(min=1, error="Must not be empty.")


# An id that the routes can address: `/api/v2/jobs/{id}` takes no '/'.
path_segment = [
    non_empty,
    validate.Regexp(
        r"^[^/]*\Z", error="Must not contain '/': it is a path segment of the API's URLs."
    ),
]


def integer(**kwargs: Any) -> fields.Integer:
    return JsonInteger(required=True, **kwargs)


def string(uuid: bool = False, validate: Any = non_empty, **kwargs: Any) -> fields.String:
    """A non-empty string; ids are documented as UUIDs, but any text is taken."""
    metadata = {"format": "uuid"} if uuid else {}
    return fields.String(required=True, validate=validate, metadata=metadata, **kwargs)


class JobSchema(Schema):
    """A job record: the 16 keys of the list response, then user, origin, sequence and result.

    A complete record has every key; fixture files and POST /_mock/jobs load partial records
    (`partial=True`) and complete them.
    """

    class Meta:
        unknown = RAISE

    id = string(uuid=True, validate=path_segment)
    parent_id = string(uuid=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    runs = integer(validate=stored_integer)
    batch_id = string(uuid=True, validate=path_segment)
    project_id = string(uuid=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)
    start_timestamp = Timestamp(required=True, allow_none=True)
    end_timestamp = Timestamp(required=True, allow_none=True)
    variables = fields.Dict(required=True, keys=fields.String())
    errors = fields.List(fields.String(), required=True)
    progress = integer(validate=validate.Range(0, 100))
    creation_order = integer(validate=stored_integer)
    slurm_job_id = string(allow_none=True)
    slurm_cluster_name = string(allow_none=True)
    user_id = string(uuid=True)
    origin = fields.String(required=True, validate=validate.OneOf(ORIGINS))
    sequence = fields.String(required=True, allow_none=True)
    result = fields.Dict(required=True, keys=fields.String(), allow_none=True)
