"""A JSON body's fields validated the way FastAPI validates a pydantic v2 model's, without pydantic.

FastAPI parses the JSON, then validates the Python value in lax mode: `"5"` and `true` are
integers, `"yes"` a boolean, extra keys are ignored, and each error has pydantic's `type`
and `msg` (checked against a throw-away FastAPI app in tests/test_batch_bodies.py). A schema
made of these fields loads a body; `body_errors` turns marshmallow's messages into
FastAPI's 422 detail, located `["body", ...]`, with the `input` at fault.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from . import lax
from .errors import RequestValidationError
from .query import pydantic_error

MISSING_MESSAGE = fields.Field.default_error_messages["required"]


class PydanticField(fields.Field):
    """A field whose wrong type (null included, unless nullable) is pydantic's `type_error`."""

    type_error: tuple[str, str] = ("", "")

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:  # fmt: skip
        if value is None and not self.allow_none:
            raise pydantic_error(*self.type_error)
        return super().deserialize(value, attr, data, **kwargs)

    def wrong_type(self) -> ValidationError:
        return pydantic_error(*self.type_error)


class Int(PydanticField, fields.Integer):
    type_error = ("int_type", "Input should be a valid integer")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool | int):
            return int(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise pydantic_error("finite_number", "Input should be a finite number")
            if not value.is_integer():
                raise pydantic_error(
                    "int_from_float",
                    "Input should be a valid integer, got a number with a fractional part",
                )
            return int(value)
        if isinstance(value, str):
            try:
                return lax.parse_int(value)
            except lax.LaxError as error:
                raise pydantic_error(error.type, error.msg, error.ctx) from None
        raise self.wrong_type()


class Str(PydanticField, fields.String):
    type_error = ("string_type", "Input should be a valid string")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.wrong_type()
        return value


class Uuid(Str):
    """A UUID's text, hyphenated or not (pydantic's UUID; its messages, for the common faults)."""

    type_error = ("uuid_type", "UUID input should be a string, bytes or UUID object")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"format": "uuid"}, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = uuid_problem(text)
        if problem:
            raise pydantic_error("uuid_parsing", f"Input should be a valid UUID, {problem}")
        return text


HEX = frozenset("0123456789abcdefABCDEF")


def uuid_problem(text: str) -> str | None:
    """What keeps `text` from being a UUID, said as pydantic says it (None: it is one)."""
    for index, char in enumerate(text):
        if char not in HEX and char != "-":
            return f"invalid character: found `{char}` at {index}"
    groups = text.split("-")
    if len(groups) == 1:
        return None if len(text) == 32 else f"invalid length: found {len(text)}"
    for number, (group, size) in enumerate(zip(groups, (8, 4, 4, 4, 12), strict=False)):
        if len(group) != size:
            return f"invalid group length in group {number}: expected {size}, found {len(group)}"
    return None if len(groups) == 5 else f"invalid group count: expected 5, found {len(groups)}"


class Bool(PydanticField, fields.Boolean):
    type_error = ("bool_type", "Input should be a valid boolean")
    _unparsable = ("bool_parsing", "Input should be a valid boolean, unable to interpret input")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, int | float):
            raise pydantic_error(*self._unparsable)
        if isinstance(value, str):
            try:
                return lax.parse_bool(value)
            except lax.LaxError as error:
                raise pydantic_error(error.type, error.msg) from None
        raise self.wrong_type()


class Dict(PydanticField, fields.Dict):
    """An object of any values (the JSON itself was checked by bodies.read_json)."""

    type_error = ("dict_type", "Input should be a valid dictionary")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict:
        if not isinstance(value, dict):
            raise self.wrong_type()
        return value


class List(PydanticField, fields.List):
    type_error = ("list_type", "Input should be a valid list")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list:
        if not isinstance(value, list):
            raise self.wrong_type()
        return super()._deserialize(value, attr, data, **kwargs)


class Model(PydanticField, fields.Nested):
    """A nested model: an object, its fields validated by `schema`."""

    type_error = (
        "model_attributes_type",
        "Input should be a valid dictionary or object to extract fields from",
    )

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            raise self.wrong_type()
        return super()._deserialize(value, attr, data, **kwargs)


class MinLength(validate.Length):
    """At least `min` characters, with pydantic's error."""

    def __init__(self, min: int) -> None:
        super().__init__(min=min)

    def __call__(self, value: Any) -> Any:
        if len(value) < self.min:
            plural = "" if self.min == 1 else "s"
            raise pydantic_error(
                "string_too_short", f"String should have at least {self.min} character{plural}",
                {"min_length": self.min},
            )  # fmt: skip
        return value


class BodySchema(Schema):
    """A pydantic model's fields: unknown keys ignored, as pydantic's default has it."""

    class Meta:
        unknown = EXCLUDE


def load_body(schema: Schema, body: Any, root: Model | List | None = None) -> Any:
    """`body` (parsed JSON) loaded by `schema`, or a 422 with every error, as FastAPI has them.

    The body is an object loaded by the schema, or (`root`) a list or a model of it.
    """
    if root is None:
        root = Model(schema)
    try:
        return root.deserialize(body)
    except ValidationError as error:
        raise RequestValidationError(list(body_errors(error.messages, body))) from None


def body_errors(messages: Any, value: Any, loc: tuple[Any, ...] = ("body",)) -> Iterator[dict[str, Any]]:  # fmt: skip
    """marshmallow's (nested) messages as FastAPI's errors, each with its `loc` and `input`."""
    if isinstance(messages, dict):
        for key, inner in messages.items():
            if isinstance(inner, list) and inner == [MISSING_MESSAGE]:
                yield {"type": "missing", "loc": [*loc, key], "msg": "Field required", "input": value}  # fmt: skip
                continue
            child = value.get(key) if isinstance(value, dict) else value[key]
            yield from body_errors(inner, child, (*loc, key))
        return
    for error in messages if isinstance(messages, list) else [messages]:
        if isinstance(error, dict) and "type" in error:
            located = {"type": error["type"], "loc": list(loc), "msg": error["msg"], "input": value}
            if "ctx" in error:
                located["ctx"] = error["ctx"]
            yield located
        else:  # a validator's own message: pydantic's value_error
            yield {"type": "value_error", "loc": list(loc), "msg": f"Value error, {error}",
                   "input": value, "ctx": {"error": {}}}  # fmt: skip
