"""Errors as exception classes carrying their status and body; the app sends them as JSON."""

from __future__ import annotations

from typing import Any

from .envelope import jsend_fail


class ApiError(Exception):
    """An error answer: `status`, a JSON `body`, and extra `headers`."""

    status = 500

    def __init__(self, body: Any, status: int | None = None, headers: dict | None = None) -> None:
        super().__init__(body)
        self.body = body
        self.status = status or self.status
        self.headers = headers or {}


class RequestValidationError(ApiError):
    """422 with FastAPI's body: `{"detail": [{"type", "loc", "msg", "input", "ctx"?}, ...]}`."""

    status = 422

    def __init__(self, detail: list[dict[str, Any]]) -> None:
        super().__init__({"detail": detail})
        self.detail = detail


class JSendFail(ApiError):
    """A JSend `fail` answer: `{"status": "fail", "message": ..., "code": "404", "data": null}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(jsend_fail(status, message), status)
