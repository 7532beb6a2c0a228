"""Request bodies: JSON read, loaded by a marshmallow schema, refused with FastAPI-shaped 422s."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from marshmallow import Schema, ValidationError

from .errors import RequestValidationError


def read_json(data: bytes) -> Any:
    """A body's JSON value, or a 422 in FastAPI's shape (`json_invalid`, located in the body)."""
    try:
        return json.loads(data.decode("utf-8", "replace"))
    except ValueError as error:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ["body", getattr(error, "pos", 0)],
              "msg": "JSON decode error", "input": {}, "ctx": {"error": str(error).split(":")[0]}}]
        ) from None  # fmt: skip


def load_object(schema: Schema, data: bytes) -> dict[str, Any]:
    """A body's JSON object loaded by `schema`, or a 422 naming each field at fault."""
    body = read_json(data)
    if not isinstance(body, dict):
        raise RequestValidationError(
            [{"type": "model_attributes_type", "loc": ["body"], "msg": "Input should be an object",
              "input": body}]
        )  # fmt: skip
    try:
        return schema.load(body)
    except ValidationError as error:
        raise RequestValidationError(list(field_errors(error.messages))) from None


def field_errors(
    messages: dict[str, Any], loc: tuple[Any, ...] = ("body",)
) -> Iterator[dict[str, Any]]:
    """marshmallow's messages as FastAPI-shaped errors naming each field."""
    for field, problems in messages.items():
        for problem in problems if isinstance(problems, list) else [problems]:
            yield {"type": "value_error", "loc": [*loc, field], "msg": str(problem)}
