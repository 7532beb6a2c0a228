"""Fault rules, the WireMock way: answer matching requests with an error, late, or not at all."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate
from waitress.channel import ClientDisconnected

FAULT_STATUSES = (429, 500, 502, 503, 504)
DROP = "mockjobs.drop"  # WSGI environ key: close the connection instead of answering


@dataclass
class FaultRule:
    """For requests with this method and path (and these query values): the fault to inject."""

    id: int
    method: str
    path: str
    query: dict[str, str]
    status: int | None  # None: answer normally (after the delay), unless dropped
    times: int | None  # answers left; None: until cleared
    delay_ms: int
    retry_after: int | None
    drop: bool

    def matches(self, method: str, path: str, query: dict[str, list[str]]) -> bool:
        if self.times == 0 or self.method != method or self.path != path:
            return False
        return all(value in query.get(key, []) for key, value in self.query.items())

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class FaultRuleSchema(Schema):
    """The body of POST /_mock/faults."""

    class Meta:
        unknown = RAISE

    method = fields.String(
        load_default="GET",
        validate=validate.OneOf(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")),
    )
    path = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^/(?!_mock(/|$))", error="Must start with '/' and not be under /_mock."
        ),
    )
    query = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    status = fields.Integer(strict=True, load_default=None, validate=validate.OneOf(FAULT_STATUSES))
    times = fields.Integer(strict=True, load_default=None, validate=validate.Range(min=1))
    delay_ms = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, 60_000))
    retry_after = fields.Integer(strict=True, load_default=None, validate=validate.Range(min=0))
    drop = fields.Boolean(load_default=False)

    @post_load
    def needs_an_effect(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data["status"] is None and not data["drop"] and not data["delay_ms"]:
            raise ValidationError("Give a status, a delay_ms or drop.", "status")
        return data


class Faults:
    """The armed rules, checked in the order they were armed."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def arm(self, spec: dict[str, Any]) -> FaultRule:
        with self._lock:
            rule = FaultRule(id=next(self._ids), **spec)
            self._rules.append(rule)
            return rule

    def take(self, method: str, path: str, query: dict[str, list[str]]) -> FaultRule | None:
        """The first rule matching the request, one of its `times` used up."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path, query):
                    if rule.times is not None:
                        rule.times -= 1
                    return rule
        return None

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()


def parse_latency(text: str) -> tuple[int, int]:
    """`"200"` or `"100-300"` (milliseconds) as (min, max); ValueError if it is neither."""
    low, _, high = text.partition("-")
    try:
        bounds = (int(low), int(high or low))
    except ValueError:
        raise ValueError(f"latency must be MS or MIN-MAX in milliseconds, not {text!r}") from None
    if not 0 <= bounds[0] <= bounds[1] <= 60_000:
        raise ValueError(f"latency must be within 0-60000 ms with MIN <= MAX, not {text!r}")
    return bounds


class ConnectionDropped(ClientDisconnected):
    """Raised out of the app so that waitress closes the connection without an answer."""


def dropping(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """WSGI middleware: when the app marked the request for dropping, drop the connection."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = app(environ, start_response)
        if environ.get(DROP):
            close = getattr(body, "close", None)
            if close:
                close()
            raise ConnectionDropped("dropped by a mockjobs fault rule")
        return body

    return middleware
