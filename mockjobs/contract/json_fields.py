"""marshmallow fields that take a JSON value exactly when JSON Schema's type takes it."""

from __future__ import annotations

from typing import Any

from marshmallow import fields


class JsonInteger(fields.Integer):
    """`52`, or `52.0` (JSON Schema's integer too); not `"52"`, `true` or `52.5`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super()._deserialize(value, attr, data, **kwargs)


class JsonNumber(fields.Float):
    """A JSON number, not a string holding one (marshmallow's Float takes `"5"`)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> float:
        if isinstance(value, str):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class JsonBoolean(fields.Boolean):
    """`true` or `false`, nothing else (marshmallow's Boolean also takes `"yes"`, `1`, `"on"`)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
