"""The application factory: configuration, the store with its data set, blueprints, CORS."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from flask import Flask, Response, jsonify
from flask import Request as FlaskRequest
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException

from .api import admin, batches, docs, job, jobs, resources, ui
from .api.gate import register_gate
from .contract.envelope import jsend_fail
from .contract.errors import ApiError
from .contract.query import query_lists
from .domain.jobs import Refused
from .mock.batches import NotFound
from .mock.datasets import DataSet
from .mock.state import Mock
from .settings import app_config
from .store import open_store

BODY_LIMIT = 16 * 1024 * 1024  # bytes of a request body


class JSONProvider(DefaultJSONProvider):
    """JSON as FastAPI sends it: keys in the documented order, UTF-8, and never NaN."""

    sort_keys = False
    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return super().dumps(obj, allow_nan=False, **kwargs)


class Request(FlaskRequest):
    @cached_property
    def args(self) -> ImmutableMultiDict[str, str]:  # type: ignore[override]
        """The query string read as Starlette reads it (contract.query), parsed once for the
        view, the faults and the journal."""
        return ImmutableMultiDict(query_lists(self.query_string))


def create_app(
    config: dict[str, Any] | None = None, *, progress: Callable[[int], None] | None = None
) -> Flask:
    """A mockjobs app: `config`, then MOCKJOBS_* environment variables, then the defaults.

    The keys are those of mockjobs.settings in capitals (SEED, FIXTURES, ...); environment
    values are JSON (`MOCKJOBS_SEED=50`, `MOCKJOBS_FIXTURES='["a.json"]'`). A bad value is a
    SettingError naming it. `progress` is told how many jobs each step of the initial load
    inserted.
    """
    app = Flask(__name__, static_folder=None)  # the dashboard serves its own assets
    app.request_class = Request
    app.config.update(app_config(config or {}))
    app.json = JSONProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = BODY_LIMIT  # a larger body is a 413

    dataset = DataSet(app.config["SEED"], app.config["RANDOM_SEED"], tuple(app.config["FIXTURES"]))
    mock = Mock(
        open_store(app.config["DB"]),
        dataset,
        journal_size=app.config["JOURNAL_SIZE"],
        lifecycle=app.config["LIFECYCLE"],
        fast_forward=app.config["FAST_FORWARD"],
        error_rate=app.config["ERROR_RATE"],
    )
    mock.load(keep_existing=not app.config["RESET"], progress=progress)
    app.extensions["mockjobs"] = mock

    register_error_handlers(app)
    register_gate(app)
    app.register_blueprint(jobs.blueprint)
    app.register_blueprint(job.blueprint)
    app.register_blueprint(batches.blueprint)
    app.register_blueprint(resources.blueprint)
    app.register_blueprint(admin.blueprint)
    app.register_blueprint(ui.blueprint)
    app.register_blueprint(docs.blueprint)
    return app


def error_response(body: Any, status: int, headers: dict | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers.extend(headers or {})
    return response


def register_error_handlers(app: Flask) -> None:
    """Every error leaves as JSON, in FastAPI's shape for the ones FastAPI itself answers."""

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError) -> Response:
        return error_response(error.body, error.status, error.headers)

    @app.errorhandler(Refused)
    def handle_refused(error: Refused) -> Response:
        return error_response(jsend_fail(400, str(error)), 400)

    @app.errorhandler(NotFound)
    def handle_not_found(error: NotFound) -> Response:
        return error_response(jsend_fail(404, str(error)), 404)

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException) -> Response:
        # 404 {"detail": "Not Found"}, 405 {"detail": "Method Not Allowed"} with Allow, ...
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return error_response({"detail": error.name}, error.code or 500, headers)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        app.logger.exception("unexpected error")
        return error_response({"detail": "Internal Server Error"}, 500)
