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

from ..vocabulary import INT64_MAX, INT64_MIN
from . import lax
from .errors import RequestValidationError
from .query import Enum, pydantic_error

MISSING_MESSAGE = fields.Field.default_error_messages["required"]
FLOAT_I64 = 2.0**63  # pydantic-core takes a float as an integer (an i64) strictly within ±this


class PydanticField(fields.Field):
    """A field whose wrong type (null included, unless nullable) is pydantic's `type_error`."""

    type_error: tuple[str, str] = ("", "")

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:  # fmt: skip
        if value is None and not self.allow_none:
            raise self.wrong_type()
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
            if not -FLOAT_I64 < value < FLOAT_I64:  # 1e19: not an i64, unlike the int 10**19
                raise pydantic_error(
                    "int_parsing_size",
                    "Unable to parse input string as an integer, exceeded maximum size",
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


class Choice(Str):
    """One of `choices`, pydantic's str Enum: any other value, whatever its type (null too,
    unless nullable), is its `enum` error."""

    def __init__(self, choices: Any, **kwargs: Any) -> None:
        self.enum = Enum(choices)
        super().__init__(validate=self.enum, **kwargs)

    def wrong_type(self) -> ValidationError:
        return self.enum.refusal()


class Uuid(Str):
    """A UUID's text, as pydantic's UUID takes it (and its messages): 32 hex digits, or
    8-4-4-4-12 with hyphens, bare, in braces or after `urn:uuid:`."""

    type_error = ("uuid_type", "UUID input should be a string, bytes or UUID object")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"format": "uuid"}, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = uuid_problem(text)
        if problem:
            raise pydantic_error(
                "uuid_parsing", f"Input should be a valid UUID, {problem}", {"error": problem}
            )
        return text


HEX = frozenset("0123456789abcdefABCDEF")
URN = "urn:uuid:"
GROUP_SIZES, GROUP_STARTS = (8, 4, 4, 4, 12), (0, 9, 14, 19, 24)
# (bytes, characters around the 36 of a hyphenated UUID): the shapes Rust's `uuid` crate
# parses as such, reporting places within the 36; text of 36 bytes is taken bare
SHAPES = ((38, 1), (45, len(URN)))


def uuid_problem(text: str) -> str | None:
    """What keeps `text` from being a UUID, said as pydantic-core (Rust's `uuid` crate) says
    it; None: it is one. Lengths are in UTF-8 bytes, as the crate counts them; so are places,
    which differ from characters only from a non-ASCII one, where the search stops."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > len(URN) + 36:
        return f"invalid length: found {size}"
    inner, offset, bare = text, 0, True  # inner: the text within braces or after the URN
    if size != 36 and len(text) >= 2 and text[0] == "{" and text[-1] == "}":
        inner, offset, bare = text[1:-1], 1, False
    elif size != 36 and text.startswith(URN):
        inner, offset, bare = text[len(URN) :], len(URN), False
    if (size, offset) in SHAPES:
        offset = 0
    hyphens = []
    for index, char in enumerate(inner):
        if char == "-":
            hyphens.append(index)
        elif char not in HEX:
            return f"invalid character: found `{char}` at {index + offset}"
    if not hyphens and bare and size != 36:  # 36 digits: a hyphenated one's length, 1 group
        return None if size == 32 else f"invalid length: found {size}"
    if len(hyphens) != 4:
        return f"invalid group count: expected 5, found {len(hyphens) + 1}"
    for group, hyphen in enumerate(hyphens):
        if hyphen != GROUP_STARTS[group + 1] - 1:
            found = hyphen - GROUP_STARTS[group]
            return f"invalid group length in group {group}: expected {GROUP_SIZES[group]}, found {found}"  # fmt: skip
    if len(inner) == 36:  # 8-4-4-4-12, bare (36 bytes), in braces (38) or a URN (45)
        return None
    return f"invalid group length in group 4: expected 12, found {size - GROUP_STARTS[4]}"


class Bool(PydanticField, fields.Boolean):
    type_error = ("bool_type", "Input should be a valid boolean")
    _unparsable = ("bool_parsing", "Input should be a valid boolean, unable to interpret input")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        # pydantic-core reads an i64 (a float too, if integral) as a number it cannot
        # interpret; any other number is not a boolean at all
        if (isinstance(value, int) and INT64_MIN <= value <= INT64_MAX) or (
            isinstance(value, float) and value.is_integer() and -FLOAT_I64 < value < FLOAT_I64
        ):
            raise pydantic_error(*self._unparsable)
        if isinstance(value, int | float):
            raise self.wrong_type()
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
