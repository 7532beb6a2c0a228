"""Differential test: mockjobs' query validation against FastAPI's, on generated query strings.

hypothesis generates raw query strings (valid, invalid and odd) and each one is sent, byte for
byte, to the reference FastAPI declaration of GET /api/v2/jobs (tests/reference/fastapi_app.py,
through FastAPI's TestClient) and to mockjobs (through Flask's test client). Both must answer
with the same status; a 422 must have the same body; for a 200, the values mockjobs parsed must
be the values FastAPI parsed. Strict mode is compared with the reference's /strict endpoint.

The only differences allowed are the ones SPEC.md decides (`apply_spec_decisions`, and naive
date-times taken as UTC); any other difference is a mockjobs bug.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from datetime import timedelta, timezone
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockjobs import create_app
from mockjobs.contract.query import parse_query

from .reference.fastapi_app import app as reference_app
from .test_validation import encode

# Starlette's TestClient prefers the `httpx2` package and, when the module is imported, warns
# (StarletteDeprecationWarning, a UserWarning) that it falls back to `httpx`. That warning, and
# only that one, is not ours: ignore it while importing, instead of failing the suite on it.
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message=r"Using `httpx` with `starlette\.testclient` is deprecated",
        category=UserWarning,
    )
    from fastapi.testclient import TestClient

PATH = "/api/v2/jobs"
STRICT_PATH = "/strict/api/v2/jobs"

# The suite's budget: deterministic, no example database, no deadline (the first FastAPI
# request is slow). Together well under a minute.
SUITE = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=1000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SUITE_STRICT = settings(SUITE, max_examples=300)


# -- sending one raw query string to both applications ---------------------------------------


class RawQuery:
    """ASGI wrapper that hands the application the query string's bytes exactly as given.

    httpx percent-encodes what it considers unsafe in a URL (spaces, quotes, non-ASCII...) and
    the TestClient transport decodes the query as ASCII, so the raw bytes cannot all travel in
    the URL; the request goes through the TestClient without a query and this wrapper puts
    the raw bytes into the ASGI scope, where a real server (uvicorn) puts what it received.
    """

    def __init__(self, asgi_app: Any) -> None:
        self.app = asgi_app
        self.query_string = b""

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "query_string": self.query_string}
        await self.app(scope, receive, send)


class Reference:
    """The FastAPI reference: `get(path, query)` gives (status, JSON body)."""

    def __init__(self, client: TestClient, wrapper: RawQuery) -> None:
        self.client = client
        self.wrapper = wrapper

    def get(self, path: str, query: str) -> tuple[int, Any]:
        self.wrapper.query_string = query.encode()  # what Flask's test client sends for `query`
        response = self.client.get(path)
        return response.status_code, response.json()


@pytest.fixture(scope="module")
def reference() -> Iterator[Reference]:
    wrapper = RawQuery(reference_app)
    with TestClient(wrapper) as client:  # one event loop for every request
        yield Reference(client, wrapper)


@pytest.fixture(scope="module")
def mock_app() -> Flask:
    return create_app({"SEED": 0})


@pytest.fixture(scope="module")
def strict_mock_app() -> Flask:
    return create_app({"SEED": 0, "STRICT": True})


# -- SPEC.md's deliberate differences from FastAPI --------------------------------------------


def apply_spec_decisions(body: Any) -> Any:
    """FastAPI's 422 body as SPEC.md wants it."""
    for error in body.get("detail", []) if isinstance(body, dict) else []:
        # SPEC.md section 3: every date-time error is `datetime_from_date_parsing`, msg
        # "Input should be a valid datetime or date, REASON". pydantic says `datetime_parsing`,
        # "Input should be a valid datetime, REASON" when the text parses but Python's datetime
        # cannot hold the value (year 0: `0000-01-01`, `-62135596801000`).
        if error.get("type") == "datetime_parsing":
            reason = error["ctx"]["error"]
            error["type"] = "datetime_from_date_parsing"
            error["msg"] = f"Input should be a valid datetime or date, {reason}"
    return body


# -- the comparison ----------------------------------------------------------------------------


def mockjobs_parsed(app: Flask, query: str, *, strict: bool) -> dict[str, Any]:
    with app.test_request_context(PATH, query_string=query):
        assert request.query_string == query.encode()  # werkzeug did not rewrite it
        params = parse_query(request.args, strict=strict)
    return {name: encode(value) for name, value in params.items()}


def check_query(query: str, reference: Reference, app: Flask, *, strict: bool) -> None:
    """The same raw query string, answered by FastAPI and by mockjobs, must agree."""
    status, body = reference.get(STRICT_PATH if strict else PATH, query)
    assert status in (200, 422), (status, body)  # the reference itself must not fail
    client: FlaskClient = app.test_client()
    response = client.get(PATH, query_string=query)
    got = response.get_json()
    assert response.status_code == status, f"{query!r}: FastAPI {status} {body}, mockjobs {got}"
    if status == 422:
        expected = apply_spec_decisions(body)
        assert got == expected, f"{query!r}"
        assert json.dumps(got) == json.dumps(expected), f"{query!r}: key order"
    else:
        assert got["status"] == "success"
        # SPEC.md section 2: a naive date-time is UTC in mockjobs, where FastAPI keeps it
        # naive. That decision is applied by the reference app's `encode_datetime`, which
        # writes a naive value as UTC with `Z`, just as `encode` writes mockjobs' aware value.
        assert mockjobs_parsed(app, query, strict=strict) == body["parsed"], f"{query!r}"


# -- generating raw query strings --------------------------------------------------------------

NAMES = [
    "order_by", "order_by_direction", "limit", "offset", "id", "id__starts_with", "batch_id",
    "project_id", "user_id", "status", "min_runs", "max_runs", "errors", "origin",
    "start_date", "end_date",
]  # fmt: skip
# Drawn more often: the parameters that are parsed (the plain strings cannot be invalid), the
# date-times most of all.
PARSED_NAMES = [
    "order_by", "order_by_direction", "limit", "offset", "status", "min_runs", "max_runs",
    "errors", "origin", *["start_date", "end_date"] * 3,
]  # fmt: skip
UNKNOWN_NAMES = [
    "foo", "LIMIT", "Limit", "limit%3D0", "status[]", "id[]", "%ff", "%c3", "%E2%82%AC", "",
    "+", "%20limit", "limit+", "order", "user", "q", "_", "created_at", "page", "sort",
]  # fmt: skip
SORTABLE = [
    "id", "parent_id", "status", "runs", "batch_id", "project_id", "created_at", "updated_at",
    "start_timestamp", "end_timestamp", "progress", "creation_order", "slurm_job_id",
    "slurm_cluster_name",
]  # fmt: skip
STATUSES = ["PENDING", "RUNNING", "DONE", "ERROR", "CANCELED", "CANCELING"]
ORIGINS = ["CLIENT", "AZURE", "OVH", "UNKNOWN"]
DIRECTIONS = ["ASC", "DESC"]
BOOLEANS = ["true", "false", "1", "0", "yes", "no", "on", "off", "t", "f", "y", "n"]

# Whitespace as it travels in a query: '+' is a space; Unicode White_Space and look-alikes.
SPACES = [
    "+", "%20", "%09", "%0A", "%0D", "%0B", "%0C", "%1C", "%1F", "%C2%85", "%C2%A0",
    "%E1%9A%80", "%E2%80%80", "%E2%80%8A", "%E2%80%8B", "%E2%80%A8", "%E2%80%A9", "%E2%80%AF",
    "%E2%81%9F", "%E3%80%80", "%E1%A0%8E", "%EF%BB%BF", "%00",
]  # fmt: skip
# Bytes that are not UTF-8 (each becomes U+FFFD), raw non-ASCII text, and odd escapes.
ODD = [
    "%ff", "%FF", "%c3", "%C3%28", "%80", "%ed%a0%80", "%C0%AF", "%F4%90%80%80", "%f0%9f%98",
    "é", "€", "😀", "ß", "İ", "K", "ſ", "５", "٥", "−", "%E2%88%92", "%EF%BC%95", "%D9%A5",
    "%", "%2", "%zz", "%%", "%25", "%2B", "%2b", "%26", "%3D", "%3d", "=", ";", "?", "#", "/",
    ",", ".", "_", "-", ":", "'", '"', "\\", "[", "]", "{", "}", "|", "^", "`", "<", ">", "~",
]  # fmt: skip
SIGNS = ["", "", "", "-", "%2B", "%2b", "+", "--", "%2B-", "-%2B", "%2B%2B", "%E2%88%92", "-+"]

spaces = st.lists(st.sampled_from(SPACES), max_size=2).map("".join)
odd = st.sampled_from(ODD)
junk = st.lists(st.one_of(odd, st.sampled_from(SPACES), st.text(max_size=3)), max_size=4).map(
    "".join
)


@st.composite
def mangled(draw: st.DrawFn, text: str) -> str:
    """`text` with some of its ASCII characters percent-escaped (upper or lower case hex)."""
    if not text or draw(st.integers(0, 7)) != 0:
        return text
    out = []
    i = 0
    while i < len(text):
        if text[i] == "%":  # keep an existing escape (or a lone '%') as it is
            out.append(text[i : i + 3])
            i += 3
            continue
        char = text[i]
        if char.isascii() and draw(st.booleans()):
            escape = f"%{ord(char):02X}"
            out.append(escape.lower() if draw(st.booleans()) else escape)
        else:
            out.append(char)
        i += 1
    return "".join(out)


def with_case(words: list[str]) -> st.SearchStrategy[str]:
    """One of `words`, as written or in a random mix of upper and lower case."""

    @st.composite
    def recased(draw: st.DrawFn) -> str:
        word = draw(st.sampled_from(words))
        mode = draw(st.sampled_from(["same", "same", "upper", "lower", "title", "mixed"]))
        if mode == "mixed":
            flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
            return "".join(c.swapcase() if f else c for c, f in zip(word, flips, strict=True))
        return {"same": word, "upper": word.upper(), "lower": word.lower(), "title": word.title()}[
            mode
        ]

    return recased()


def digits(low: int, high: int) -> st.SearchStrategy[str]:
    """ASCII digits, `low` to `high` of them."""
    return st.from_regex(rf"[0-9]{{{low},{high}}}", fullmatch=True)


@st.composite
def digit_runs(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:  # long runs, around CPython's and pydantic's 4300-digit limit
        zeros = "0" * draw(st.sampled_from([0, 0, 1, 5, 4300]))
        first = draw(st.sampled_from("123456789"))
        return zeros + first + "9" * draw(st.integers(4290, 4310))
    if kind == 1:  # around the 64-bit limits
        return draw(
            st.sampled_from(
                [
                    "9223372036854775807", "9223372036854775808", "9223372036854775809",
                    "18446744073709551615", "18446744073709551616", "99999999999999999999",
                    "100", "101", "0", "00", "000", "1",
                ]
            )
        )  # fmt: skip
    return draw(digits(1, 24))


@st.composite
def underscored(draw: st.DrawFn) -> str:
    """A run of digits, sometimes with underscores (single, doubled, leading, trailing)."""
    run = draw(digit_runs())
    if draw(st.integers(0, 4)):
        return run
    cuts = sorted(draw(st.lists(st.integers(0, len(run)), max_size=3)))
    out, last = [], 0
    for cut in cuts:
        out += [run[last:cut], draw(st.sampled_from(["_", "_", "__"]))]
        last = cut
    return "".join([*out, run[last:]])


FRACTIONS = ["", "", "", ".0", ".00", ".000", ".", ".5", ".50", ".05", ",0", ".0_0", "._0", ".0e0"]


@st.composite
def integers(draw: st.DrawFn) -> str:
    """Integer-like text: spaces, signs, digits with underscores, fractions, exponents."""
    if draw(st.integers(0, 5)) == 0:
        return str(draw(st.integers(-200, 200)))  # plainly valid (or out of bounds)
    parts = [
        draw(spaces) if draw(st.integers(0, 3)) == 0 else "",
        draw(st.sampled_from(SIGNS)),
        draw(underscored()),
        draw(st.one_of(st.just(""), st.sampled_from(FRACTIONS), digits(1, 8).map(".".__add__))),
        draw(st.sampled_from(["e2", "E0", "e-1", "x"])) if draw(st.integers(0, 5)) == 0 else "",
        draw(spaces) if draw(st.integers(0, 3)) == 0 else "",
    ]
    return "".join(parts)


@st.composite
def booleans(draw: st.DrawFn) -> str:
    word = draw(with_case(BOOLEANS))
    if draw(st.integers(0, 4)) == 0:
        return draw(spaces) + word + draw(spaces)
    if draw(st.integers(0, 6)) == 0:
        return word + draw(odd)
    return word


@st.composite
def enums(draw: st.DrawFn, values: list[str]) -> str:
    """An enum value: right, in the wrong case, padded, truncated, or a comma list."""
    word = draw(with_case(values))
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return word + draw(st.sampled_from([",", "%2C"])) + draw(st.sampled_from(values))
    if kind == 1:
        return draw(spaces) + word + draw(spaces)
    if kind == 2:
        return word[: draw(st.integers(0, len(word)))]
    if kind == 3:
        return word + draw(odd)
    return word


TIME_ZONES = [
    "", "", "Z", "z", "%2B00:00", "-00:00", "%2B01:00", "-01:00", "%2B0100", "-0530", "%2B05:30",
    "%2B01", "-1", "%2B23:59", "-23:59", "%2B24:00", "%2B01:60", "%E2%88%9201:00", "−01:00",
    "%2B1:00", "%2B01:0", "ZZ", "Z%2B01:00", "%2B01:00:00", "+01:00", "UTC", "GMT", "%2B14:00",
]  # fmt: skip


def two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: f"{n:02d}")


@st.composite
def datetimes(draw: st.DrawFn) -> str:
    """ISO-like date-times from random parts, sometimes cut short or given a tail."""
    year = draw(
        st.one_of(
            st.sampled_from(["0000", "0001", "1970", "2024", "2025", "9999", "1900", "2000"]),
            digits(4, 4),
            st.sampled_from(["10000", "999", "20250", "%2B2025", "-2025", "２０２５"]),
        )
    )
    month = draw(st.one_of(two(1, 12), two(0, 13), st.sampled_from(["1", "1a", "001", "+1"])))
    day = draw(st.one_of(two(1, 28), two(0, 32), st.sampled_from(["1", "29", "30", "31", "x1"])))
    date = year + draw(st.sampled_from(["-", "-", "-", "/", "", "_", "."])) + month
    date += draw(st.sampled_from(["-", "-", "-", "/", ""])) + day
    if draw(st.integers(0, 3)) == 0:
        text = date
    else:
        separator = draw(st.sampled_from(["T", "T", "T", "t", "+", "%20", "_", "x", "", "TT", ":"]))
        time = draw(st.one_of(two(0, 23), two(0, 25), st.sampled_from(["1", "24", "99"])))
        time += ":" + draw(st.one_of(two(0, 59), two(0, 61), st.just("6")))
        if draw(st.integers(0, 4)):
            time += ":" + draw(st.one_of(two(0, 59), two(0, 61), st.just("6")))
            if draw(st.booleans()):
                time += draw(st.sampled_from([".", ".", ",", ".."]))
                time += draw(digits(0, 14))
        text = date + separator + time + draw(st.sampled_from(TIME_ZONES))
    if draw(st.integers(0, 5)) == 0:  # cut short
        text = text[: len(text) - draw(st.integers(1, len(text)))]
    if draw(st.integers(0, 7)) == 0:
        text = draw(spaces) + text + draw(junk)
    return text


TIMESTAMP_EDGES = [
    0, 1, -1, 1700000000, 20000000000, 20000000001, -20000000000, -20000000001,
    -62167219200, -62167219201, -62135596800, -62135596801, 253402300799, 253402300800,
    -62167219200000, -62167219200001, -62135596800000, -62135596801000, 253402300799999,
    253402300800000, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 10**19, 10**20,
]  # fmt: skip


@st.composite
def iso_datetimes(draw: st.DrawFn) -> str:
    """Valid ISO 8601 date-times, naive or with an offset, written in the usual ways."""
    zone = st.one_of(
        st.none(),
        st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m))),
    )
    moment = draw(st.datetimes(timezones=zone))
    text = moment.isoformat(
        sep=draw(st.sampled_from("T t_")),
        timespec=draw(st.sampled_from(["auto", "minutes", "seconds", "milliseconds"])),
    )
    text = text.replace("+00:00", draw(st.sampled_from(["+00:00", "Z", "z"])))
    if moment.tzinfo is not None and draw(st.booleans()):  # +HHMM instead of +HH:MM
        text = text[:-3] + text[-2:]
    return text.replace("+", "%2B").replace(" ", draw(st.sampled_from(["+", "%20"])))


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    """Unix timestamps: range edges, random sizes, leading zeros, fractions, signs, exponents."""
    number = draw(
        st.one_of(
            st.sampled_from(TIMESTAMP_EDGES).flatmap(lambda n: st.integers(n - 2, n + 2)),
            st.integers(-(10**16), 10**16),
            st.integers(-(10**21), 10**21),
        )
    )
    zeros = "0" * draw(st.sampled_from([0, 0, 0, 0, 1, 3, 10, 25, 300]))  # leading zeros
    text = zeros + str(abs(number))
    sign = "-" if number < 0 else draw(st.sampled_from(["", "", "", "%2B", "+", "-"]))
    kind = draw(st.integers(-1, 5))
    if kind <= 0:
        text += "." + draw(digits(0, 12))
    elif kind == 1:
        text = draw(st.sampled_from(["", "0"])) + "." + draw(digits(1, 8))
    elif kind == 2:
        text += draw(st.sampled_from(["e0", "e3", "E-2", ".5e1", "_000", "0" * 5, ".0"]))
    elif kind == 3:
        text = draw(st.sampled_from(["inf", "nan", "infinity", "-inf", "1e400", "0x10", "."]))
    return sign + text


@st.composite
def strings(draw: st.DrawFn) -> str:
    """Anything at all, mostly short, sometimes long."""
    if draw(st.integers(0, 30)) == 0:
        return draw(st.sampled_from("a0%")) * draw(st.integers(1000, 6000))
    return draw(
        st.lists(
            st.one_of(
                st.text(st.characters(codec="utf-8", exclude_characters="&"), max_size=4),
                st.from_regex(r"[A-Za-z0-9_.~-]{1,8}", fullmatch=True),
                odd,
                st.sampled_from(SPACES),
            ),
            max_size=4,
        ).map("".join)
    )


def typed_value(name: str) -> st.SearchStrategy[str]:
    """Values of the type of parameter `name`: valid, nearly valid and invalid."""
    return {
        "order_by": enums([*SORTABLE, "variables", "errors", "user_id", "origin"]),
        "order_by_direction": enums(DIRECTIONS),
        "status": enums(STATUSES),
        "origin": enums(ORIGINS),
        "limit": integers(),
        "offset": integers(),
        "min_runs": integers(),
        "max_runs": integers(),
        "errors": booleans(),
        "start_date": st.one_of(datetimes(), iso_datetimes(), timestamps()),
        "end_date": st.one_of(datetimes(), iso_datetimes(), timestamps()),
    }.get(name, strings())


def value_for(name: str) -> st.SearchStrategy[str]:
    """Values meant for parameter `name` (mostly of its type, sometimes of another)."""
    typed = typed_value(name)
    anything = st.one_of(
        integers(), booleans(), datetimes(), timestamps(), strings(), enums(STATUSES + ORIGINS)
    )
    return st.one_of(typed, typed, typed, typed, anything)


@st.composite
def pairs(draw: st.DrawFn, unknown_weight: int = 1) -> str:
    """One `name=value` pair of a query string, or an odd variant of it."""
    if draw(st.integers(0, 5 + unknown_weight)) > 5:
        name = draw(st.one_of(st.sampled_from(UNKNOWN_NAMES), strings()))
        value = draw(st.one_of(strings(), value_for(draw(st.sampled_from(NAMES)))))
    else:
        name = draw(st.sampled_from(PARSED_NAMES if draw(st.integers(0, 3)) else NAMES))
        value = draw(value_for(name))
        name = draw(mangled(name))
    value = draw(mangled(value))
    form = draw(st.integers(0, 19))
    if form == 0:
        return name  # a key without '='
    if form == 1:
        return "=" + value  # no name
    if form == 2:
        return name + "="  # empty value
    if form == 3:
        return name + "==" + value  # the value starts with '='
    return name + "=" + value


@st.composite
def focused_queries(draw: st.DrawFn) -> str:
    """One parsed parameter with a value of its type, sometimes after an earlier value."""
    name = draw(st.sampled_from(PARSED_NAMES))
    query = name + "=" + draw(typed_value(name))
    if draw(st.integers(0, 5)) == 0:  # the last value wins (a list takes both)
        query = name + "=" + draw(typed_value(name)) + "&" + query
    return query


@st.composite
def odd_queries(draw: st.DrawFn, unknown_weight: int = 1) -> str:
    """A raw query string: pairs joined by '&' (sometimes '&&', ';'), edges included."""
    items = draw(st.lists(pairs(unknown_weight), max_size=draw(st.sampled_from([1, 2, 3, 6]))))
    if items and draw(st.integers(0, 4)) == 0:  # repeat a parameter, with another value
        name = items[draw(st.integers(0, len(items) - 1))].split("=", 1)[0]
        items.insert(draw(st.integers(0, len(items))), name + "=" + draw(value_for(name)))
    query = ""
    for index, item in enumerate(items):
        if index:
            query += draw(st.sampled_from(["&"] * 12 + ["&&", ";", "&;", "%26"]))
        query += item
    if draw(st.integers(0, 9)) == 0:
        query = draw(st.sampled_from(["&", "&&", "?"])) + query
    if draw(st.integers(0, 9)) == 0:
        query += draw(st.sampled_from(["&", "&&", "#", "%"]))
    return query


def queries(unknown_weight: int = 1) -> st.SearchStrategy[str]:
    """Half the budget on the parsers of single values, half on whole odd query strings."""
    return st.one_of(focused_queries(), odd_queries(unknown_weight))


# -- the tests -------------------------------------------------------------------------------


@SUITE
@given(query=queries())
def test_same_answer_as_fastapi(query: str, reference: Reference, mock_app: Flask) -> None:
    check_query(query, reference, mock_app, strict=False)


@SUITE_STRICT
@given(query=queries(unknown_weight=4))
def test_strict_mode_same_answer_as_fastapi(
    query: str, reference: Reference, strict_mock_app: Flask
) -> None:
    check_query(query, reference, strict_mock_app, strict=True)
