"""The parts of the differential test's query strings (query_strings.py): the names, and each
kind of value in the forms pydantic parses and the forms it refuses (numbers, booleans,
enums, date-times and timestamps), mangled in case, spaces and signs."""

from __future__ import annotations

from datetime import timedelta, timezone

from hypothesis import strategies as st

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
