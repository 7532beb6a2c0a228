"""The job list's query parameters, parsed and refused the way FastAPI with pydantic v2 does."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import parse_qsl

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from ..vocabulary import ORIGINS, SORTABLE_FIELDS, STATUSES
from . import lax
from .errors import RequestValidationError
from .lax_datetime import parse_datetime


class QueryArgs(Protocol):
    """A parsed query string: names, each with all its values (werkzeug's MultiDict is one)."""

    def __contains__(self, name: object) -> bool: ...
    def __iter__(self) -> Iterator[str]: ...
    def getlist(self, name: str) -> list[str]: ...


KEPT_QUERY = 512  # bytes: a query string up to this long is kept parsed (query_lists)


def query_pairs(raw: bytes) -> list[tuple[str, str]]:
    """A query string read as Starlette reads it, so that any bytes parse: raw bytes are
    Latin-1 and percent-escapes UTF-8, an invalid byte becoming U+FFFD (werkzeug would keep
    it as `%FF`, and fail on a raw non-UTF-8 byte)."""
    return parse_qsl(raw.decode("latin-1"), keep_blank_values=True)


def query_lists(raw: bytes) -> dict[str, list[str]]:
    """A query string as a dict of lists, the same object for the same short query string
    (a client asks the same again): to be read, never changed."""
    return _kept_lists(raw) if len(raw) <= KEPT_QUERY else _lists(raw)


def _lists(raw: bytes) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {}
    for name, value in query_pairs(raw):
        lists.setdefault(name, []).append(value)
    return lists


# 256 of them: at most about 10 MB, were each 512 bytes of one-letter names and values
_kept_lists = lru_cache(maxsize=256)(_lists)


def pydantic_error(type_: str, msg: str, ctx: dict[str, Any] | None = None) -> ValidationError:
    """A marshmallow error whose one message is a pydantic error (without loc and input)."""
    error = {"type": type_, "msg": msg}
    if ctx is not None:
        error["ctx"] = ctx
    return ValidationError([error])


class LaxField(fields.Field):
    """A query value parsed as pydantic's lax mode parses a string."""

    parse: Callable[[str], Any]

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return type(self).parse(value)
        except lax.LaxError as error:
            raise pydantic_error(error.type, error.msg, error.ctx) from None


class LaxInteger(LaxField):
    parse = staticmethod(lax.parse_int)


class LaxBoolean(LaxField):
    parse = staticmethod(lax.parse_bool)


class LaxDateTime(LaxField):
    parse = staticmethod(parse_datetime)


class Bound(validate.Range):
    """A numeric bound with pydantic's error (greater_than, less_than, ...)."""

    def __call__(self, value: Any) -> Any:
        if self.min is not None:
            if self.min_inclusive and value < self.min:
                raise pydantic_error(
                    "greater_than_equal",
                    f"Input should be greater than or equal to {self.min}",
                    {"ge": self.min},
                )
            if not self.min_inclusive and value <= self.min:
                raise pydantic_error(
                    "greater_than", f"Input should be greater than {self.min}", {"gt": self.min}
                )
        if self.max is not None:
            if self.max_inclusive and value > self.max:
                raise pydantic_error(
                    "less_than_equal",
                    f"Input should be less than or equal to {self.max}",
                    {"le": self.max},
                )
            if not self.max_inclusive and value >= self.max:
                raise pydantic_error(
                    "less_than", f"Input should be less than {self.max}", {"lt": self.max}
                )
        return value


class Enum(validate.OneOf):
    """One of `choices`, with pydantic's `enum` error."""

    def __init__(self, choices: Iterable[str]) -> None:
        super().__init__(choices)
        quoted = [f"'{choice}'" for choice in self.choices]
        self.expected = " or ".join(
            [", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted
        )

    def __call__(self, value: Any) -> Any:
        if value not in self.choices:
            raise self.refusal()
        return value

    def refusal(self) -> ValidationError:
        """pydantic's error for a value not among the choices (`error`: marshmallow's message)."""
        return pydantic_error(
            "enum", f"Input should be {self.expected}", {"expected": self.expected}
        )


def strings(description: str, validate: Any = None) -> fields.List:
    """A repeated string parameter (`?id=a&id=b`)."""
    return fields.List(
        fields.String(validate=validate),
        load_default=list,
        metadata={"description": description, "default": []},
    )


class JobQuerySchema(Schema):
    """The 16 query parameters of GET /api/v2/jobs, in the documented order."""

    class Meta:
        unknown = EXCLUDE

    order_by = fields.String(load_default="created_at", validate=Enum(SORTABLE_FIELDS))
    order_by_direction = fields.String(load_default="DESC", validate=Enum(("ASC", "DESC")))
    limit = LaxInteger(
        load_default=100, validate=Bound(0, 101, min_inclusive=False, max_inclusive=False)
    )
    offset = LaxInteger(load_default=0, validate=Bound(min=0))
    id = strings("Unique id for the job")
    id__starts_with = fields.String(
        load_default="", metadata={"description": "First characters of the job id"}
    )
    batch_id = strings("Owner batch of the job")
    project_id = strings("Owner project of the job")
    user_id = strings("Owner user of the job")
    status = strings("Job status type enum", Enum(STATUSES))
    min_runs = LaxInteger(load_default=None, allow_none=False)
    max_runs = LaxInteger(load_default=None, allow_none=False)
    errors = LaxBoolean(load_default=None, allow_none=False)
    origin = strings("Origin of the job", Enum(ORIGINS))
    start_date = LaxDateTime(load_default=None, allow_none=False)
    end_date = LaxDateTime(load_default=None, allow_none=False)


class JournalQuerySchema(Schema):
    """GET /_mock/requests: a page of the journal, counted from the newest entry."""

    class Meta:
        unknown = EXCLUDE

    limit = LaxInteger(
        load_default=None, validate=Bound(min=0), metadata={"description": "Entries (default all)"}
    )
    offset = LaxInteger(
        load_default=0, validate=Bound(min=0), metadata={"description": "Newest entries skipped"}
    )


QUERY_SCHEMA = JobQuerySchema()
JOURNAL_QUERY = JournalQuerySchema()


def parse_query(
    args: QueryArgs, *, strict: bool = False, schema: Schema = QUERY_SCHEMA
) -> dict[str, Any]:
    """The parameters of `schema` (the job list's 16 by default) from a query string.

    Or a RequestValidationError with every problem, in parameter order. A repeated
    parameter takes all its values; any other takes its last one. Unknown parameters are
    ignored, or refused with `extra_forbidden` in strict mode.
    """
    raw = {
        name: args.getlist(name) if isinstance(field, fields.List) else args.getlist(name)[-1]
        for name, field in schema.fields.items()
        if name in args
    }
    detail: list[dict[str, Any]] = []
    try:
        params = schema.load(raw)
    except ValidationError as error:
        detail = list(located(error.messages, raw, schema))
    if strict:
        detail.extend(
            extra_forbidden(name, args.getlist(name)) for name in args if name not in schema.fields
        )
    if detail:
        raise RequestValidationError(detail)
    return params


def extra_forbidden(name: str, values: list[str]) -> dict[str, Any]:
    """FastAPI's error for an unknown parameter: its value, or all of them when repeated."""
    return {
        "type": "extra_forbidden",
        "loc": ["query", name],
        "msg": "Extra inputs are not permitted",
        "input": values[0] if len(values) == 1 else values,
    }


def located(
    messages: dict[str, Any], raw: dict[str, Any], schema: Schema
) -> Iterable[dict[str, Any]]:
    """marshmallow's messages as pydantic errors with `loc` and `input`, in parameter order."""
    for name in schema.fields:
        if name not in messages:
            continue
        if isinstance(messages[name], dict):  # elements of a repeated parameter, by index
            for index in sorted(messages[name]):
                for error in messages[name][index]:
                    yield with_location(error, ["query", name, index], raw[name][index])
        else:
            for error in messages[name]:
                yield with_location(error, ["query", name], raw[name])


def with_location(error: dict[str, Any], loc: list[Any], value: str) -> dict[str, Any]:
    located_error = {"type": error["type"], "loc": loc, "msg": error["msg"], "input": value}
    if "ctx" in error:
        located_error["ctx"] = error["ctx"]
    return located_error
