"""Errors as exception classes carrying their status and body, and the one handler that sends them."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException


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
        super().__init__(
            {"status": "fail", "message": message, "code": str(status), "data": None}, status
        )


def error_response(error: ApiError) -> Response:
    response = jsonify(error.body)
    response.status_code = error.status
    response.headers.extend(error.headers)
    return response


def register_error_handlers(app: Flask) -> None:
    """Every error leaves as JSON, in FastAPI's shape for the ones FastAPI itself answers."""

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException) -> Response:
        # 404 {"detail": "Not Found"}, 405 {"detail": "Method Not Allowed"} with Allow, ...
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return error_response(ApiError({"detail": error.name}, error.code, headers))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        app.logger.exception("unexpected error")
        return error_response(ApiError({"detail": "Internal Server Error"}, 500))
