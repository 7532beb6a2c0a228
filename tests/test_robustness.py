"""Nothing a client sends produces a 5xx: random and hostile query strings, bounded and seeded."""

from __future__ import annotations

import random

import pytest
from flask.testing import FlaskClient

from mockjobs.contract.query import QUERY_SCHEMA

NAMES = [*QUERY_SCHEMA.fields, "unknown", "", "limit[]", "LIMIT"]
PIECES = [
    "", "0", "-1", "1.0", "1.5", "1e3", "1_000", "+5", " 5 ", "99999999999999999999999", "9" * 5000,
    "true", "T", "nan", "inf", "null", "None", "[]", "{}", "%", "%%", "%ff", "%00", "%e2%82", "%u1234",
    "+", "&", "=", "==", ";", "DONE", "done", "ASC", "CLIENT", "created_at", "2025-01-15", "2025-02-30",
    "2025-01-15T25:00:00Z", "1700000000", "-99999999999999999999", "1e400", "T10:00", "\u0661", "\uff15",
    "é", "\ud7ff", "💥", "a" * 10000, "\\", "'", '"', "--", "/*", "%2B", "%20",
]  # fmt: skip


def get(http: FlaskClient, query: bytes):  # type: ignore[no-untyped-def]
    """GET with a raw query string, bytes as they come off the wire (WSGI's Latin-1)."""
    return http.get("/api/v2/jobs", environ_overrides={"QUERY_STRING": query.decode("latin-1")})


def random_query(rnd: random.Random) -> bytes:
    pairs = []
    for _ in range(rnd.randint(0, 6)):
        value = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 3)))
        pairs.append(f"{rnd.choice(NAMES)}={value}" if rnd.random() < 0.9 else rnd.choice(NAMES))
    text = "&".join(pairs).encode("utf-8", "surrogatepass")
    if rnd.random() < 0.2:  # raw bytes that are not UTF-8, as a raw HTTP client can send
        text += bytes(rnd.randrange(128, 256) for _ in range(rnd.randint(1, 4)))
    return text


@pytest.mark.parametrize("seed", range(4))
def test_random_queries_never_get_a_5xx(
    client: FlaskClient, strict_client: FlaskClient, seed: int
) -> None:
    rnd = random.Random(seed)
    for _ in range(300):
        query = random_query(rnd)
        for http in (client, strict_client):
            response = get(http, query)
            assert response.status_code in (200, 422), (query, response.data[:300])
            body = response.get_json()
            if response.status_code == 422:
                assert body["detail"] and all(
                    {"type", "loc", "msg", "input"} <= set(e) for e in body["detail"]
                )
            else:
                assert body["status"] == "success"


@pytest.mark.parametrize(
    "query",
    [
        b"limit=" + b"9" * 4301,
        b"offset=" + b"9" * 4300,
        b"min_runs=-" + b"9" * 4300,
        b"id__starts_with=" + b"%ff" * 20000,
        b"id=" + b"x" * 200_000,
        b"status=" + b"&status=DONE" * 2000,
        b"start_date=" + b"9" * 400,
        b"start_date=-" + b"9" * 30,
        b"end_date=9999-12-31T23:59:59.999999-23:59",
        b"start_date=0001-01-01T00:00:00%2B23:59",
        b"\xff\xfe=\xff&limit=\xc3\xa9",
    ],
    ids=lambda q: q[:30].decode("latin-1"),
)
def test_hostile_queries(client: FlaskClient, query: bytes) -> None:
    response = get(client, query)
    assert response.status_code in (200, 422), response.data[:300]
