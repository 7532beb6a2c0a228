"""Regenerate tests/validation_cases.json from the real behaviour of FastAPI + pydantic v2.

Every query string below is sent, byte for byte, to the reference declaration of
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

# (raw query string, note). The query is sent exactly as written: keep it percent-encoded
# (the script refuses a query that the HTTP client would rewrite).
Case = tuple[str, str]

LONG_DIGITS = "9" * 4300  # Python's default int_max_str_digits is 4300

CASES: list[Case] = [
    # -- no parameters, separators, keys ---------------------------------------------------
    ("", "no parameters: every default"),
    ("&&", "empty pairs are skipped"),
    ("limit=5&", "trailing '&'"),
    (
        "foo=bar&LIMIT=0&limit%3D0&id[]=a",
        "unknown parameters are ignored; names are case-sensitive; 'limit%3D0' is the name"
        + " 'limit=0' with an empty value; no PHP-style [] lists",
    ),
    ("=x&=", "empty parameter name: ignored"),
    ("lim%69t=0", "names are percent-decoded too: this is limit=0"),
    ("%ff=1&limit=1", "invalid UTF-8 in a name: decoded as U+FFFD, an unknown parameter"),
    ("limit", "a key without '=' has the empty value"),
    ("limit&limit=5", "last value wins, even after an empty one"),
    ("limit=5&limit", "last value wins: the empty one"),
    ("limit=5;offset=3", "';' is not a separator"),
    ("limit=5?offset=2", "a second '?' is part of the value"),
    # -- order_by ------------------------------------------------------------------------
    ("order_by=runs", ""),
    ("order_by=slurm_cluster_name&order_by_direction=ASC", ""),
    ("order_by=variables", "variables is a response field but not sortable"),
    ("order_by=errors", "errors is a response field but not sortable"),
    ("order_by=CREATED_AT", "case-sensitive"),
    ("order_by=", "empty value is not the default"),
    ("order_by=%20id", "enums are not stripped"),
    ("order_by=%E2%80%8Bid", "zero-width space"),
    ("order_by=id&order_by=runs", "scalar given twice: last value wins"),
    ("order_by=user_id", "stored and filterable, but not a response field"),
    # -- order_by_direction --------------------------------------------------------------
    ("order_by_direction=ASC", ""),
    ("order_by_direction=DESC", "explicit default"),
    ("order_by_direction=asc", "case-sensitive"),
    ("order_by_direction=", ""),
    ("order_by_direction=ASCENDING", ""),
    # -- limit ---------------------------------------------------------------------------
    ("limit=1", "lower bound"),
    ("limit=100", "upper bound"),
    ("limit=0", ""),
    ("limit=-0", "-0 is 0"),
    ("limit=-5", ""),
    ("limit=101", ""),
    ("limit=1_000", "underscores between digits are accepted: 1000, then out of range"),
    ("limit=99999999999999999999999", "a huge integer is an integer: less_than, not int_parsing"),
    ("limit=", "empty value is not 'missing'"),
    ("limit=abc", ""),
    ("limit=1.5", ""),
    ("limit=1.0", "a zero fraction is accepted"),
    ("limit=100.000", "any number of zeros in the fraction"),
    ("limit=5.0000000001", ""),
    ("limit=1.", "no digit after the point"),
    ("limit=.5", ""),
    ("limit=1e2", "no exponent"),
    ("limit=0x10", "no base prefix"),
    ("limit=inf", ""),
    ("limit=0005", "leading zeros"),
    ("limit=%205", "leading space is stripped"),
    ("limit=%205%20", "surrounding spaces are stripped"),
    ("limit=+5", "a raw '+' decodes to a space: ' 5', valid"),
    ("limit=%2B5", "an explicit plus sign"),
    ("limit=%0910%0A", "tab and newline are stripped"),
    ("limit=%0B10%0C", "vertical tab and form feed are stripped"),
    ("limit=%C2%A010", "no-break space U+00A0 is stripped (Unicode White_Space)"),
    ("limit=%E3%80%8010", "ideographic space U+3000 is stripped"),
    ("limit=%1C10", "U+001C is whitespace for Python's str.strip() but not for pydantic"),
    ("limit=%E2%80%8B10", "zero-width space is not whitespace"),
    ("limit=1__0", "doubled underscore"),
    ("limit=_10", "leading underscore"),
    ("limit=10_", "trailing underscore"),
    ("limit=%EF%BC%95", "fullwidth digit 5: Python's int() accepts it, pydantic does not"),
    ("limit=%D9%A5", "Arabic-Indic digit 5"),
    ("limit=%ff", "invalid UTF-8 decodes as U+FFFD"),
    ("limit=%zz", "a malformed percent escape is kept literally"),
    ("limit=10&limit=0", "scalar given twice: last value wins"),
    ("limit=0&limit=10", "scalar given twice: last value wins"),
    ("limit=abc&limit=5", "an invalid earlier value is not validated"),
    # -- offset --------------------------------------------------------------------------
    ("offset=0", "explicit default"),
    ("offset=250", ""),
    ("offset=-1", ""),
    ("offset=-0", "-0 is 0"),
    ("offset=", ""),
    ("offset=1.5", ""),
    ("offset=%205", ""),
    (
        "offset=99999999999999999999999",
        "valid: must simply give an empty page (beyond 64 bits, must not crash)",
    ),
    ("offset=9223372036854775808", "2**63: beyond a signed 64-bit integer"),
    # -- id, id__starts_with, batch_id, project_id, user_id -------------------------------
    ("id=a", ""),
    ("id=a&id=b&id=a", "repeated: every value, in order, duplicates kept"),
    ("id=", "an empty element is kept, not dropped"),
    ("id=&id=a", ""),
    ("id=a,b", "a comma list is one value"),
    ("id=a+b&id=a%2Bb&id=a=b", "'+' is a space; '%2B' is a plus; '=' after the first is literal"),
    ("id=%00", "NUL character"),
    ("id=%E2%82%AC%F0%9F%98%80", "UTF-8: euro sign and an emoji outside the BMP"),
    ("id=%ff%fe", "invalid UTF-8: one U+FFFD per invalid byte"),
    ("id=%c3", "truncated UTF-8 sequence"),
    ("id=%ed%a0%80", "an encoded surrogate is invalid UTF-8: three U+FFFD"),
    ("id=a%&id=%2", "a malformed percent escape is kept literally"),
    ("id__starts_with=", "explicit default"),
    ("id__starts_with=00000000-", ""),
    ("id__starts_with=%25_", "'%' and '_' are literal characters, not SQL wildcards"),
    ("id__starts_with=a&id__starts_with=b", "scalar given twice: last value wins"),
    ("id__starts_with=" + "a" * 5000, "a 5000-character value"),
    ("batch_id=b&project_id=c&user_id=d&user_id=e", ""),
    ("batch_id=&project_id=%20&user_id=%ff", "strings are neither stripped nor refused"),
    # -- status ----------------------------------------------------------------------------
    ("status=DONE", ""),
    (
        "status=PENDING&status=RUNNING&status=DONE&status=ERROR&status=CANCELED&status=CANCELING",
        "all six",
    ),
    ("status=DONE&status=DONE", "duplicates kept"),
    ("status=done", "case-sensitive; loc carries the index of the element"),
    ("status=DONE,ERROR", "a comma list is one value, and not a status"),
    ("status=", "empty element"),
    ("status=&status=DONE", ""),
    (
        "status=DONE&status=done&status=x",
        "one error per bad element, in order, with its index; input is the element",
    ),
    ("status=%20DONE", "enums are not stripped"),
    ("status=DON%C3%89", "non-ASCII letter"),
    ("status=%ff", "invalid UTF-8"),
    ("status=CANCELLED", "British spelling is not a status"),
    ("status[]=x", "not the 'status' parameter: ignored"),
    ("status=DONE&" * 250 + "status=done", "element 250 is bad: its index is in loc"),
    # -- min_runs, max_runs ------------------------------------------------------------------
    ("min_runs=10", ""),
    ("max_runs=0", ""),
    ("min_runs=-5", "negative values are valid"),
    ("min_runs=10&max_runs=5", "min > max is valid (an empty page)"),
    ("min_runs=", "empty value is int_parsing, not 'no filter'"),
    ("min_runs=%20", "blank value"),
    ("min_runs=null&max_runs=None", ""),
    ("min_runs=1.5&max_runs=2.0", ""),
    ("min_runs=%2B7&max_runs=1_0", ""),
    (
        "min_runs=99999999999999999999999",
        "valid: must simply match nothing (beyond 64 bits, must not crash)",
    ),
    ("max_runs=-99999999999999999999999", "valid: must simply match nothing"),
    ("max_runs=99999999999999999999999", "valid: matches every job"),
    ("min_runs=" + LONG_DIGITS, "4300 digits: the longest integer pydantic parses (valid)"),
    (
        "min_runs=" + LONG_DIGITS + "9",
        "4301 digits: int_parsing_size (Python's int() raises ValueError here: must not be a 5xx)",
    ),
    ("min_runs=0000000000" + LONG_DIGITS, "leading zeros do not count towards the 4300 digits"),
    (
        "max_runs=1.5&min_runs=x",
        "errors follow declaration order (min_runs first), not query order",
    ),
    # -- errors ------------------------------------------------------------------------------
    ("errors=true", ""),
    ("errors=True", "what the official SDK sends"),
    ("errors=TRUE", ""),
    ("errors=false", ""),
    ("errors=False", "what the official SDK sends"),
    ("errors=1", ""),
    ("errors=0", ""),
    ("errors=yes", ""),
    ("errors=No", ""),
    ("errors=on", ""),
    ("errors=OFF", ""),
    ("errors=t", ""),
    ("errors=F", ""),
    ("errors=Y", ""),
    ("errors=n", ""),
    ("errors=tRuE", "case-insensitive"),
    ("errors=", "empty value is bool_parsing, not 'no filter'"),
    ("errors=2", ""),
    ("errors=-1", ""),
    ("errors=01", ""),
    ("errors=1.0", ""),
    ("errors=%20true", "booleans are NOT stripped (unlike integers)"),
    ("errors=true%20", "booleans are NOT stripped"),
    ("errors=+true", "a raw '+' is a space: not stripped"),
    ("errors=tru", ""),
    ("errors=truee", ""),
    ("errors=null", ""),
    ("errors=None", ""),
    ("errors=%EF%BD%94", "fullwidth t"),
    ("errors=fal%C5%BFe", "long s: 'fal\u017fe'.upper() == 'FALSE' in Python, still invalid"),
    ("errors=o%EF%AC%80", "ff ligature: 'o\ufb00'.upper() == 'OFF' in Python, still invalid"),
    ("errors=%ff", "invalid UTF-8"),
    ("errors=true&errors=maybe", "scalar given twice: last value wins"),
    ("errors=maybe&errors=false", "scalar given twice: last value wins"),
    # -- origin ------------------------------------------------------------------------------
    ("origin=CLIENT", ""),
    ("origin=CLIENT&origin=AZURE&origin=OVH&origin=UNKNOWN", "all four"),
    ("origin=client", "case-sensitive"),
    ("origin=", ""),
    ("origin=CLIENT,AZURE", "a comma list is one value"),
    ("origin=AZURE&origin=GCP&origin=OVH&origin=aws", ""),
    # -- start_date, end_date ----------------------------------------------------------------
    ("start_date=2025-01-15T10:30:00Z", ""),
    ("start_date=2025-01-15T10:30:00z&end_date=2025-01-15t10:30:00Z", "lower-case z and t"),
    (
        "start_date=2025-01-15T10:30:00",
        "naive: taken as UTC (SPEC.md section 2; FastAPI keeps it naive)",
    ),
    ("start_date=2025-01-15T10:30:00%2B01:00", "numeric offset, converted to UTC"),
    ("start_date=2025-01-15T10:30:00+01:00", "a raw '+' decodes to a space: a classic client bug"),
    ("start_date=2025-01-15T10:30:00-05:30", ""),
    ("start_date=2025-01-15T10:30:00%2B0100", "offset without colon"),
    ("start_date=2025-01-15T10:30:00%2B01", "hours-only offset is refused"),
    ("start_date=2025-01-15T10:30:00%2B23:59", "largest offset"),
    ("start_date=2025-01-15T10:30:00%2B24:00", ""),
    ("start_date=2025-01-15T10:30:00-00:00", ""),
    ("start_date=2025-01-15T10:30:00UTC", ""),
    ("start_date=2025-01-15T10:30:00.250Z", "milliseconds"),
    ("start_date=2025-01-15T10:30:00.5%2B05:30", ""),
    ("start_date=2025-01-15T10:30:00,5Z", "comma as decimal separator"),
    ("start_date=2025-01-15T10:30:00.123456789Z", "fraction beyond microseconds is truncated"),
    ("start_date=2025-01-15T10:30:00.Z", ""),
    ("start_date=2025-01-15T10:30", "no seconds"),
    ("start_date=2025-01-15%2010:30:00", "space instead of T"),
    ("start_date=2025-01-15T10", "hour only"),
    ("start_date=2025-01-15T", ""),
    ("start_date=2025-01-15", "plain date: midnight UTC"),
    ("start_date=2024-02-29", "leap day"),
    ("start_date=2025-02-29", "not a leap year"),
    ("start_date=2025-13-01", "bad month"),
    ("start_date=2025-00-10", ""),
    ("start_date=2025-01-32", ""),
    ("start_date=2025-01-15T25:00:00Z", "bad hour"),
    ("start_date=2025-01-15T10:30:60Z", "no leap second"),
    ("start_date=2025-01", "too short"),
    ("start_date=2025-1-15", "single-digit month"),
    ("start_date=2025/01/15", ""),
    ("start_date=15-01-2025", ""),
    ("start_date=2025-W03-3", "ISO week date"),
    ("start_date=2025-01-15x", "trailing garbage"),
    ("start_date=2025-01-15T10:30:00Zgarbage", "trailing garbage"),
    ("start_date=%202025-01-15", "datetimes are not stripped"),
    ("start_date=2025-01-15%0A", "datetimes are not stripped"),
    ("start_date=%2B2025-01-15", ""),
    ("start_date=10000-01-01", ""),
    ("start_date=0001-01-01", "smallest date"),
    ("start_date=9999-12-31T23:59:59Z", "largest instant"),
    (
        "start_date=9999-12-31T23:59:59-01:00",
        "valid, but year 10000 in UTC: compare instants without overflow (parsed keeps the offset)",
    ),
    (
        "start_date=0001-01-01T00:00:00%2B01:00",
        "valid, but year 0 in UTC: compare instants without overflow (parsed keeps the offset)",
    ),
    ("start_date=0000-01-01", "year 0"),
    ("start_date=1700000000", "Unix timestamp in seconds"),
    ("start_date=1700000000.5", "fractional timestamp"),
    (
        "start_date=1700000000.123456789",
        "timestamp fraction is ROUNDED to microseconds (ISO fractions are truncated)",
    ),
    ("start_date=1700000000.", ""),
    ("start_date=.5", ""),
    ("start_date=%2B1700000000", "sign accepted"),
    ("start_date=-1", "negative timestamp"),
    ("start_date=0", ""),
    ("start_date=20", "a short number is a timestamp, not a year"),
    ("start_date=2025", "a year alone is a timestamp (2025 seconds)"),
    ("start_date=20250115", "a compact date is a timestamp"),
    ("start_date=1700000000000", "beyond 2e10: milliseconds"),
    ("start_date=20000000000", "2e10 exactly: still seconds"),
    ("start_date=20000000001", "just beyond 2e10: milliseconds"),
    ("start_date=-99999999999", "below -2e10: milliseconds"),
    ("start_date=-62135596801000", "milliseconds before 0001-01-01: year 0"),
    ("start_date=9999999999999999", "milliseconds after 9999"),
    ("start_date=-9999999999999999", "milliseconds before 0000"),
    ("start_date=99999999999999999999", ""),
    ("start_date=000000000000000000001", "leading zeros do not count: 21 characters, 1 second"),
    ("start_date=-000000000000000000001", "leading zeros after a sign"),
    ("start_date=%201700000000", "timestamps are not stripped"),
    ("start_date=1_700_000_000", "no underscores in timestamps"),
    ("start_date=1e10", "no exponent"),
    ("start_date=now", ""),
    ("start_date=", "empty value"),
    ("start_date=%ff", "invalid UTF-8"),
    ("end_date=2025-01-15T10:35:00Z", ""),
    ("end_date=2025-13-01", ""),
    ("start_date=2025-01-16&end_date=2025-01-15", "start after end is valid (an empty page)"),
    ("start_date=x&end_date=2025-01-15T10:30:00Zgarbage", "both reported, in declaration order"),
    # -- several invalid parameters at once ----------------------------------------------------
    (
        "end_date=x&start_date=x&origin=x&errors=maybe&max_runs=y&min_runs=x&status=DONE&status=x"
        + "&offset=-1&limit=0&order_by_direction=x&order_by=x",
        "every invalid parameter, in declaration order whatever the query order",
    ),
    (
        "origin=x&status=y&status=DONE&status=z&limit=0",
        "list elements in index order, parameters in declaration order",
    ),
    ("limit=0&offset=-1&foo=bar", "unknown parameter ignored among errors"),
    (
        "order_by=runs&order_by_direction=ASC&limit=10&offset=20&id=a&id__starts_with=b&batch_id=c"
        + "&project_id=d&user_id=e&status=DONE&min_runs=1&max_runs=500&errors=false&origin=OVH"
        + "&start_date=2025-01-01&end_date=2025-12-31T23:59:59Z",
        "all 16 parameters, valid",
    ),
]

# Strict mode (mockjobs --strict): unknown parameters are a 422 extra_forbidden. The real
# service has no strict mode; the reference is FastAPI's query model with extra="forbid".
STRICT_CASES: list[Case] = [
    ("foo=bar", "unknown parameter"),
    ("foo", "a key without '=': input is ''"),
    ("=x", "empty name"),
    ("LIMIT=5", "names are case-sensitive"),
    ("id[]=a", ""),
    ("%ff=1", "invalid UTF-8 in a name: U+FFFD"),
    ("foo=1&foo=2", "repeated unknown parameter: input is the LIST of its values"),
    (
        "zeta=1&alpha=2&limit=0&status=x",
        "unknown parameters come after the declared ones, in query order",
    ),
    ("limit=5&id=a&status=DONE", "no unknown parameter: as in normal mode"),
]


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
