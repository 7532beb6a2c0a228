"""Request bodies: JSON read strictly, loaded by a marshmallow schema, refused with FastAPI's 422s."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from marshmallow import Schema, ValidationError

from ..errors import InvalidInput
from .errors import RequestValidationError

MAX_DEPTH = 64  # levels of nesting a body or a fixture file may have


class NotJSON(ValueError):
    """Text that is not JSON as RFC 8259 has it; `position` where it goes wrong (0: unknown)."""

    def __init__(self, reason: str, position: int = 0) -> None:
        super().__init__(reason)
        self.reason, self.position = reason, position


def parse_json(text: str, *, texts: bool = True) -> Any:
    """A JSON value: no NaN or Infinity, numbers a double holds, text that UTF-8 can encode,
    nesting within MAX_DEPTH.

    What is refused here would be stored and then sent back as invalid JSON, or break the
    parser (a RecursionError) or a later request. `texts=False` leaves lone surrogates to
    the caller (fixture files name the record and field that holds one).
    """
    try:
        value = json.loads(text, parse_constant=refuse_constant, parse_float=finite_float)
    except json.JSONDecodeError as error:
        raise NotJSON(error.msg, error.pos) from None
    except RecursionError:
        raise NotJSON(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:  # an integer of more than 4,300 digits
        raise NotJSON(str(error).split(";")[0]) from None
    check(value, texts)
    return value


def refuse_constant(name: str) -> Any:
    raise NotJSON(f"{name} is not a JSON number")


def finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotJSON(f"{text} is beyond what a number can hold")
    return value


def check(value: Any, texts: bool = True) -> None:
    """NotJSON if arrays and objects nest beyond MAX_DEPTH, or a text holds a lone surrogate
    (a `\\ud800` escape: no UTF-8 for it). Walked without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise NotJSON(f"{item} is not a JSON number")
        if isinstance(item, str) and texts:
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise NotJSON("a string holds a lone surrogate: not valid Unicode") from None
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise NotJSON(f"nested deeper than {MAX_DEPTH} levels")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def read_json(data: bytes) -> Any:
    """A body's JSON value, or a 422 in FastAPI's shape (`json_invalid`, located in the body)."""
    try:
        return parse_json(data.decode("utf-8", "replace"))
    except NotJSON as error:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ["body", error.position], "msg": "JSON decode error",
              "input": {}, "ctx": {"error": error.reason}}]
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


def field_errors(messages: dict[str, Any], loc: tuple[Any, ...] = ("body",)) -> Iterator[dict[str, Any]]:  # fmt: skip
    """marshmallow's messages as FastAPI-shaped errors naming each field (an element of a
    list or a value of a dict by its index or key: `["body", "fixtures", 0]`)."""
    for field, problems in messages.items():
        if isinstance(problems, dict) and problems.keys() <= {"key", "value"}:  # a Dict's entry
            problems = [problem for each in problems.values() for problem in each]
        elif isinstance(problems, dict):
            yield from field_errors(problems, (*loc, field))
            continue
        for problem in problems if isinstance(problems, list) else [problems]:
            yield {"type": "value_error", "loc": [*loc, field], "msg": str(problem)}


def load_arguments(schema: Schema, arguments: dict[str, Any], context: str) -> dict[str, Any]:
    """A Python call's arguments loaded by a body's `schema`, or InvalidInput naming each field
    (`context`, the operation, leads its message)."""
    try:
        return schema.load(arguments)
    except ValidationError as error:
        problems = [
            (".".join(map(str, entry["loc"][1:])), entry["msg"])
            for entry in field_errors(error.messages)
        ]
        raise InvalidInput(problems, context) from None
