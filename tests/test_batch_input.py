"""Bad batch requests refused, changing nothing: FastAPI's 422, gzip and other encodings, a 404."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from .test_batches import PROJECT, SEQUENCE, total
from .test_batches import api as api


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"jobs": [{"runs": "many"}], "project_id": "p", "sequence_builder": "s"},
         [{"type": "int_parsing", "loc": ["body", "jobs", 0, "runs"],
           "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "many"}]),
        ({"jobs": [], "project_id": "p", "sequence_builder": "s"},
         [{"type": "value_error", "loc": ["body"], "msg": "Value error, a closed batch needs at least one job",
           "input": {"jobs": [], "project_id": "p", "sequence_builder": "s"}, "ctx": {"error": {}}}]),
        ({"jobs": [{"runs": 1}], "project_id": "p", "device_type": "QUANTUM"},
         [{"type": "enum", "loc": ["body", "device_type"], "input": "QUANTUM",
           "msg": "Input should be 'FRESNEL', 'FRESNEL_CAN1', 'EMU_FREE', 'EMU_TN', 'EMU_FRESNEL', 'EMU_MPS' or 'EMU_SV'",
           "ctx": {"expected": "'FRESNEL', 'FRESNEL_CAN1', 'EMU_FREE', 'EMU_TN', 'EMU_FRESNEL', 'EMU_MPS' or 'EMU_SV'"}}]),
        ({"jobs": {}}, [{"type": "list_type", "loc": ["body", "jobs"], "msg": "Input should be a valid list", "input": {}},
                        {"type": "missing", "loc": ["body", "project_id"], "msg": "Field required", "input": {"jobs": {}}}]),
        ([], [{"type": "model_attributes_type", "loc": ["body"], "input": [],
               "msg": "Input should be a valid dictionary or object to extract fields from"}]),
    ],
)  # fmt: skip
def test_a_bad_batch_is_fastapi_s_422_and_changes_nothing(
    api: FlaskClient, body: Any, detail: list
) -> None:
    before = (total(api), total(api, "/api/v1/batches"))
    response = api.post("/api/v1/batches", json=body)
    assert (response.status_code, response.get_json()) == (422, {"detail": detail})
    assert (total(api), total(api, "/api/v1/batches")) == before


def test_gzip_bodies_are_read_and_journaled_inflated(api: FlaskClient) -> None:
    body = {"sequence_builder": SEQUENCE, "jobs": [{"runs": 3}], "project_id": PROJECT}
    response = api.post(
        "/api/v1/batches", data=gzip.compress(json.dumps(body).encode()),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )  # fmt: skip
    assert response.status_code == 200
    (entry,) = api.get("/_mock/requests?limit=1").get_json()["data"]
    assert (entry["method"], entry["path"], entry["body"]) == ("POST", "/api/v1/batches", body)


@pytest.mark.parametrize(
    ("data", "coding", "status"),
    [
        (b"not gzip at all", "gzip", 400),
        (gzip.compress(b'{"jobs": []}', mtime=0)[:-6], "gzip", 400),  # cut short
        (gzip.compress(b" " * (17 * 2**20), mtime=0), "gzip", 413),  # a bomb: 17 MiB from 17 KB
        (b"{}", "br", 415),
    ],
    ids=["not-gzip", "cut-short", "bomb", "brotli"],
)
def test_bad_encodings_are_refused_and_change_nothing(api: FlaskClient, data: bytes, coding: str, status: int) -> None:  # fmt: skip
    before = total(api, "/api/v1/batches")
    response = api.post(
        "/api/v1/batches", data=data, headers={"Content-Type": "application/json", "Content-Encoding": coding}
    )  # fmt: skip
    assert response.status_code == status and response.is_json
    assert total(api, "/api/v1/batches") == before


def test_unknown_batches_are_404_jsend_fails(api: FlaskClient) -> None:
    for method, path in [("get", "/api/v2/batches/nope"), ("get", "/api/v1/batches/nope/status"),
                         ("patch", "/api/v2/batches/nope/complete"), ("patch", "/api/v2/batches/nope/cancel"),
                         ("post", "/api/v1/batches/nope/rebatch")]:  # fmt: skip
        response = getattr(api, method)(path)
        assert (response.status_code, response.get_json()["message"]) == (
            404,
            "Batch nope not found.",
        )
