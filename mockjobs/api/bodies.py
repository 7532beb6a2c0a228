"""A request's body as the SDK sends it: JSON, gzip-compressed when it says so, bounded."""

from __future__ import annotations

import zlib
from typing import Any

from flask import current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..contract.bodies import read_json
from ..contract.errors import ApiError, JSendFail, RequestValidationError


def body_bytes() -> bytes:
    """The body, decompressed (`Content-Encoding: gzip`), at most MAX_CONTENT_LENGTH either way.

    A body that is not gzip is a 400 JSend fail; a coding other than gzip, a 415; a body
    that inflates beyond the bound, a 413, found without inflating more than the bound.
    """
    if "mockjobs_body" in g:
        return g.mockjobs_body
    data = request.get_data(cache=True)
    coding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if coding == "gzip" and data:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            data = inflate.decompress(data, limit + 1)
        except zlib.error as error:
            raise JSendFail(400, f"The body is not valid gzip: {error}.") from None
        if len(data) > limit or inflate.unconsumed_tail:
            raise RequestEntityTooLarge()
        if not inflate.eof:
            raise JSendFail(400, "The body is not valid gzip: it ends before its end.")
    elif coding not in ("identity", "gzip"):
        raise ApiError({"detail": f"Content-Encoding {coding!r} is not supported (gzip is)."}, 415)
    g.mockjobs_body = data
    return data


def json_body() -> Any:
    """The body's JSON value, or FastAPI's 422: `missing` when there is none, `json_invalid`."""
    data = body_bytes()
    if not data:
        raise RequestValidationError(
            [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]
        )
    return read_json(data)
