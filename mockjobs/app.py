"""The application factory: configuration, the store with its data set, blueprints, CORS."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl

import peewee
from flask import Flask, Response, request
from flask import Request as FlaskRequest
from werkzeug.datastructures import ImmutableMultiDict

from .api import jobs
from .db import MEMORY, Store
from .errors import register_error_handlers
from .fixtures import FixtureError, read_fixture_file
from .generator import DEFAULT_RANDOM_SEED, generate_jobs

DEFAULTS: dict[str, Any] = {
    "SEED": 500,  # generated jobs
    "RANDOM_SEED": DEFAULT_RANDOM_SEED,
    "FIXTURES": [],  # fixture files, loaded before the generated jobs
    "DB": MEMORY,  # or a file; a file that holds jobs already is served as it is...
    "RESET": False,  # ...unless RESET
    "STRICT": False,  # unknown query parameters are a 422
}

Progress = Callable[[int], None]


class Request(FlaskRequest):
    @cached_property
    def args(self) -> ImmutableMultiDict[str, str]:  # type: ignore[override]
        """The query string read as Starlette reads it, so that any bytes parse.

        Raw bytes are Latin-1 and percent-escapes UTF-8, an invalid byte becoming U+FFFD
        (werkzeug would keep it as `%FF`, and fail on a raw non-UTF-8 byte).
        """
        return ImmutableMultiDict(
            parse_qsl(self.query_string.decode("latin-1"), keep_blank_values=True)
        )


def create_app(config: dict[str, Any] | None = None, *, progress: Progress | None = None) -> Flask:
    """A mockjobs app: DEFAULTS, then MOCKJOBS_* environment variables, then `config`.

    Environment values are JSON (`MOCKJOBS_SEED=50`, `MOCKJOBS_FIXTURES='["a.json"]'`).
    `progress` is told how many jobs each step of the initial load inserted.
    """
    app = Flask(__name__)
    app.request_class = Request
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("MOCKJOBS")
    app.config.update(config or {})
    app.json.sort_keys = False  # type: ignore[attr-defined]  # the documented key order
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # as FastAPI sends it

    store = Store(app.config["DB"])
    if app.config["RESET"] or store.count() == 0:
        populate(store, app.config, progress)
    app.extensions["mockjobs"] = store

    register_error_handlers(app)
    app.register_blueprint(jobs.blueprint)
    app.after_request(allow_cross_origin)
    return app


def populate(store: Store, config: dict[str, Any], progress: Progress | None = None) -> int:
    """Replace the store's jobs with the configured data set: fixture files, then generated jobs."""
    with store.writing():
        store.clear()
        loaded = 0
        for path in config["FIXTURES"]:
            records = read_fixture_file(path, first_ordinal=loaded)
            clashes = store.existing_ids(record["id"] for record in records)
            for index, record in enumerate(records):
                if record["id"] in clashes:
                    raise FixtureError(
                        f"{path}: record {index}: field 'id': duplicate id {record['id']!r}"
                        " (loaded from an earlier file)"
                    )
            loaded += store.insert(records, progress=progress)
        try:
            generated = generate_jobs(config["SEED"], config["RANDOM_SEED"])
            loaded += store.insert(generated, progress=progress)
        except peewee.IntegrityError:
            raise FixtureError(
                "generated jobs have the ids of fixture jobs (the fixtures were generated with"
                " the same --random-seed): choose another --random-seed"
            ) from None
        store.analyze()
    return loaded


def allow_cross_origin(response: Response) -> Response:
    """Any page may read the API, its Content-Range included, and send its token."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "Content-Range"
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        response.headers["Access-Control-Allow-Methods"] = response.headers.get("Allow", "GET")
        requested = request.headers.get("Access-Control-Request-Headers")
        if requested:
            response.headers["Access-Control-Allow-Headers"] = requested
        response.headers["Access-Control-Max-Age"] = "600"
    return response
