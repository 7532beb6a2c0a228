"""GET /api/v2/jobs as HTTP: compact UTF-8 JSON, FastAPI's 404 and 405, HEAD, CORS (a 422 too)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from .test_list import RECORDS, get
from .test_list import api as api


def test_json_is_utf8_and_compact(api: FlaskClient) -> None:
    response = get(api, "id=%C3%A9-job")
    assert response.headers["Content-Type"] == "application/json"
    assert '"id":"é-job"' in response.get_data(as_text=True)


def test_unknown_path_is_fastapis_404(api: FlaskClient) -> None:
    for path in ("/api", "/api/v2/job", "/api/v2/jobs/x/y", "/api/v3/jobs", "/static/ui/app.js"):
        response = api.get(path)
        assert (response.status_code, response.get_json()) == (404, {"detail": "Not Found"})


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_wrong_method_is_fastapis_405(api: FlaskClient, method: str) -> None:
    response = api.open("/api/v2/jobs", method=method)
    assert (response.status_code, response.get_json()) == (405, {"detail": "Method Not Allowed"})
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD", "OPTIONS"}


def test_head_has_the_headers_of_get_and_no_body(api: FlaskClient) -> None:
    response = api.head("/api/v2/jobs?limit=3")
    assert response.status_code == 200
    assert response.headers["Content-Range"] == f"1-3/{len(RECORDS)}"
    assert response.get_data() == b""


def test_cors_preflight_and_cross_origin_read(api: FlaskClient) -> None:
    headers = {"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET",
               "Access-Control-Request-Headers": "authorization"}  # fmt: skip
    preflight = api.options("/api/v2/jobs", headers=headers)
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "authorization"
    read = api.get("/api/v2/jobs?limit=1", headers={"Origin": "http://localhost:5173"})
    assert read.headers["Access-Control-Allow-Origin"] == "*"
    assert read.headers["Access-Control-Expose-Headers"] == "Content-Range"


def test_a_422_is_cross_origin_readable_too(api: FlaskClient) -> None:
    response = api.get("/api/v2/jobs?limit=0", headers={"Origin": "http://localhost:5173"})
    assert response.status_code == 422
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Expose-Headers"] == "Content-Range"
