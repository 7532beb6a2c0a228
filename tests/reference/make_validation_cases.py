"""Regenerate tests/validation_cases.json from the real behaviour of FastAPI + pydantic v2.

Every query string of ``validation_queries.py`` is sent, byte for byte, to the reference declaration of
GET /api/v2/jobs in ``fastapi_app.py`` through FastAPI's TestClient; the status and the JSON
body are recorded. Where SPEC.md decides differently from FastAPI, the SPEC wins: those
overrides are applied explicitly in :func:`apply_spec_overrides`, and such a case keeps
FastAPI's own answer under ``"fastapi"`` and says so in ``"note"``.

Run it from the repository root with a scratch environment (FastAPI is not a dependency of
mockjobs)::

    python3 -m venv /tmp/fa && /tmp/fa/bin/pip install fastapi httpx
    /tmp/fa/bin/python tests/reference/make_validation_cases.py

Last generated with fastapi 0.165.0, pydantic 2.14.4 (pydantic-core 2.50.5), starlette 1.10.0.

Format of a case: ``{"query": raw query string, "strict": true (strict mode only),
"status": 200 or 422, "detail": [...] (422) or "parsed": {...} (200), "note": "...",
"fastapi": {FastAPI's own status and detail, only where a SPEC override applies}}``.
``parsed`` holds the parsed values that differ from the defaults; enum members as their
value, datetimes as RFC 3339 in UTC with ``Z`` (naive ones taken as UTC, fractional seconds
only when non-zero; an instant outside years 1-9999 in UTC keeps the client's offset).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUTPUT = HERE.parent / "validation_cases.json"

sys.path.insert(0, str(HERE))
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from fastapi.testclient import TestClient  # noqa: E402
from fastapi_app import app  # noqa: E402
from validation_queries import CASES, STRICT_CASES  # noqa: E402


def apply_spec_overrides(result: dict[str, Any]) -> str:
    """Apply SPEC.md where it decides differently from FastAPI; return a note, or ''."""
    notes = []
    for error in result.get("detail", []):
        # SPEC.md section 3: "not a date-time" is datetime_from_date_parsing, msg
        # "Input should be a valid datetime or date, REASON", ctx {"error": REASON}.
        # pydantic uses datetime_parsing ("Input should be a valid datetime, REASON") when
        # the text parses but the value does not fit Python's datetime (year 0).
        if error["type"] == "datetime_parsing":
            reason = error["ctx"]["error"]
            error["type"] = "datetime_from_date_parsing"
            error["msg"] = f"Input should be a valid datetime or date, {reason}"
            notes.append(
                "SPEC override: FastAPI says type datetime_parsing, msg 'Input should be a "
                "valid datetime, ...'; SPEC section 3 says every date-time error is "
                "datetime_from_date_parsing"
            )
    return "; ".join(notes)


class QueryRecorder:
    """ASGI wrapper remembering the raw query string of the last request."""

    def __init__(self, asgi_app: Any) -> None:
        self.app = asgi_app
        self.query_string = b""

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.query_string = scope["query_string"]
        await self.app(scope, receive, send)


def non_defaults(parsed: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in parsed.items() if value != defaults[name]}


def run_case(client: TestClient, recorder: QueryRecorder, path: str, query: str) -> dict:
    response = client.get(path + "?" + query)
    sent = recorder.query_string.decode("latin-1")
    if sent != query:
        raise SystemExit(f"the client rewrote {query!r} as {sent!r}: percent-encode it")
    return {"status": response.status_code, "body": response.json()}


def build_case(query: str, note: str, raw: dict, defaults: dict, strict: bool) -> dict:
    case: dict[str, Any] = {"query": query}
    if strict:
        case["strict"] = True
    case["status"] = raw["status"]
    if raw["status"] == 200:
        case["parsed"] = non_defaults(raw["body"]["parsed"], defaults)
    elif raw["status"] == 422:
        case["detail"] = raw["body"]["detail"]
    else:
        raise SystemExit(f"unexpected status {raw['status']} for {query!r}: {raw['body']}")
    fastapi = json.loads(json.dumps(case))
    override = apply_spec_overrides(case)
    notes = [text for text in (note, override) if text]
    if notes:
        case["note"] = "; ".join(notes)
    if override:
        case["fastapi"] = {k: v for k, v in fastapi.items() if k in ("status", "detail", "parsed")}
    return case


def main() -> None:
    recorder = QueryRecorder(app)
    client = TestClient(recorder)
    defaults = client.get("/api/v2/jobs").json()["parsed"]

    for table in (CASES, STRICT_CASES):
        queries = [query for query, _ in table]
        duplicates = {query for query in queries if queries.count(query) > 1}
        if duplicates:
            raise SystemExit(f"duplicate queries: {sorted(duplicates)}")

    cases = []
    for query, note in CASES:
        raw = run_case(client, recorder, "/api/v2/jobs", query)
        # Cross-check the strict reference: on a query without unknown parameters it must
        # answer exactly as the real declaration does.
        strict_raw = run_case(client, recorder, "/strict/api/v2/jobs", query)
        if strict_raw != raw and not any(
            e["type"] == "extra_forbidden" for e in strict_raw["body"].get("detail", [])
        ):
            raise SystemExit(f"strict reference differs on {query!r}: {strict_raw} != {raw}")
        cases.append(build_case(query, note, raw, defaults, strict=False))
    for query, note in STRICT_CASES:
        raw = run_case(client, recorder, "/strict/api/v2/jobs", query)
        cases.append(build_case(query, note, raw, defaults, strict=True))

    lines = [json.dumps(case, ensure_ascii=True) for case in cases]
    OUTPUT.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="ascii")
    overridden = sum("fastapi" in case for case in cases)
    print(f"wrote {len(cases)} cases ({overridden} with a SPEC override) to {OUTPUT}")


if __name__ == "__main__":
    main()
