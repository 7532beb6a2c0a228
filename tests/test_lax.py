"""mockjobs.lax parses query strings exactly as pydantic v2 (lax mode) does.

Every expected value and error below was read from pydantic 2.14 / pydantic-core 2.50
(``TypeAdapter(int | bool | datetime).validate_python(text)``, and through a FastAPI query
parameter); pydantic itself is not needed to run these tests.
"""

from __future__ import annotations

import datetime as dt

import pytest

from mockjobs.contract.lax import LaxError, parse_bool, parse_int
from mockjobs.contract.lax_datetime import parse_datetime

UTC = dt.UTC
INT_PARSING = (
    "int_parsing",
    "Input should be a valid integer, unable to parse string as an integer",
)
INT_SIZE = ("int_parsing_size", "Unable to parse input string as an integer, exceeded maximum size")
BOOL_PARSING = ("bool_parsing", "Input should be a valid boolean, unable to interpret input")
UNICODE = (
    "string_unicode",
    "Input should be a valid string, unable to parse raw data as a unicode string",
)
YEAR_ZERO = (  # SPEC.md's answer; pydantic says datetime_parsing, "Input should be a valid datetime, ..."
    "datetime_from_date_parsing",
    "Input should be a valid datetime or date, year 0 is out of range",
    {"error": "year 0 is out of range"},
)
EXTRA = "unexpected extra characters at the end of the input"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def date_error(reason: str) -> tuple[str, str, dict[str, str]]:
    """pydantic's error for a string that is neither a datetime nor a date."""
    return (
        "datetime_from_date_parsing",
        "Input should be a valid datetime or date, " + reason,
        {"error": reason},
    )


def error_of(parse, text: str) -> tuple:
    with pytest.raises(LaxError) as info:
        parse(text)
    error = info.value
    assert isinstance(error, ValueError)
    return (error.type, error.msg) if error.ctx is None else (error.type, error.msg, error.ctx)


INT_CASES = [
    ("5", 5),
    (" 5", 5),  # what `limit=%205` sends
    ("5 ", 5),
    ("\t5\n", 5),
    ("\u30005\xa0", 5),  # Rust's str::trim(): Unicode White_Space
    ("5\x1c", INT_PARSING),  # ...which, unlike Python's str.strip(), excludes U+001C-U+001F
    ("5\u200b", INT_PARSING),
    ("+5", 5),
    ("-5", -5),
    (" -5 ", -5),
    ("--5", INT_PARSING),
    ("+-5", INT_PARSING),
    ("-+5", INT_PARSING),
    ("- 5", INT_PARSING),
    ("1_000", 1000),
    ("1_0_0", 100),
    ("_1000", INT_PARSING),
    ("1000_", INT_PARSING),
    ("1__000", INT_PARSING),
    ("1.0", 1),
    ("1.00", 1),
    ("-1.0", -1),
    ("+1.000000000000000000000", 1),
    ("1_0.0", 10),
    ("1.", INT_PARSING),
    ("1.5", INT_PARSING),
    (".0", INT_PARSING),
    ("1.0_0", INT_PARSING),
    ("1.0.0", INT_PARSING),
    ("1e3", INT_PARSING),
    ("0x10", INT_PARSING),
    ("0b1", INT_PARSING),
    ("inf", INT_PARSING),
    ("007", 7),
    ("00", 0),
    ("-0", 0),
    ("-00", 0),
    ("0.0", 0),
    ("0_0", 0),
    ("0__0", 0),  # underscores among leading zeros are dropped, even doubled
    ("0-5", -5),  # pydantic quirk: leading zeros stripped, then "-5" parses
    ("00-5", -5),
    ("-0-5", INT_PARSING),
    ("\uff10\uff11", INT_PARSING),  # fullwidth digits (SPEC: int_parsing)
    ("١٢", INT_PARSING),  # Arabic-Indic digits
    ("", INT_PARSING),
    (" ", INT_PARSING),
    ("1 2", INT_PARSING),
    ("1\x00", INT_PARSING),
    ("9223372036854775807", 9223372036854775807),
    ("-9223372036854775809", -9223372036854775809),
    ("99999999999999999999999", 99999999999999999999999),
    ("9" * 4300, 10**4300 - 1),
    ("9" * 4300 + ".0", 10**4300 - 1),
    ("-" + "9" * 4300, 1 - 10**4300),
    ("9" * 4301, INT_SIZE),
    ("-" + "9" * 4301, INT_SIZE),
    ("9" * 4301 + "x", INT_SIZE),  # the digit run alone decides
    ("1" + "0" * 4300 + ".0", INT_SIZE),
    ("+" + "9" * 4301, INT_PARSING),  # only an unsigned/'-' number is size-checked first
    (" " + "9" * 4301, INT_PARSING),
    ("0" * 5000, 0),
    ("\ud800", UNICODE),
]


@pytest.mark.parametrize(("text", "expected"), INT_CASES)
def test_parse_int(text: str, expected: int | tuple) -> None:
    if isinstance(expected, tuple):
        assert error_of(parse_int, text) == expected
    else:
        value = parse_int(text)
        assert type(value) is int
        assert value == expected


BOOL_CASES = [
    *[(word, True) for word in ("true", "True", "TRUE", "tRuE", "1", "yes", "YES", "on", "oN")],
    *[(word, True) for word in ("t", "T", "y", "Y")],
    *[(word, False) for word in ("false", "False", "FALSE", "0", "no", "nO", "off", "OfF")],
    *[(word, False) for word in ("f", "F", "n", "N")],
    ("", BOOL_PARSING),
    (" ", BOOL_PARSING),
    (" true", BOOL_PARSING),  # no trimming, unlike integers
    ("true ", BOOL_PARSING),
    ("\ttrue", BOOL_PARSING),
    ("2", BOOL_PARSING),
    ("01", BOOL_PARSING),
    ("00", BOOL_PARSING),
    ("1.0", BOOL_PARSING),
    ("-1", BOOL_PARSING),
    ("+1", BOOL_PARSING),
    ("tru", BOOL_PARSING),
    ("truee", BOOL_PARSING),
    ("\uff54\uff52\uff55\uff45", BOOL_PARSING),  # fullwidth "true"
    ("None", BOOL_PARSING),
    ("null", BOOL_PARSING),
    ("\ud800", UNICODE),
]


@pytest.mark.parametrize(("text", "expected"), BOOL_CASES)
def test_parse_bool(text: str, expected: bool | tuple) -> None:
    if isinstance(expected, tuple):
        assert error_of(parse_bool, text) == expected
    else:
        assert parse_bool(text) is expected


DATETIME_CASES = [
    # ISO 8601 / RFC 3339 text
    ("2025-01-15T10:30:00Z", utc(2025, 1, 15, 10, 30)),
    ("2025-01-15T10:30:00z", utc(2025, 1, 15, 10, 30)),
    ("2025-01-15t10:30:00Z", utc(2025, 1, 15, 10, 30)),
    ("2025-01-15 10:30:00Z", utc(2025, 1, 15, 10, 30)),
    ("2025-01-15_10:30:00Z", utc(2025, 1, 15, 10, 30)),
    ("2025-01-15T10:30:00", utc(2025, 1, 15, 10, 30)),  # naive: taken as UTC
    ("2025-01-15T10:30", utc(2025, 1, 15, 10, 30)),
    ("2025-01-15T10:30Z", utc(2025, 1, 15, 10, 30)),
    ("2025-01-15T10:30:00+01:00", utc(2025, 1, 15, 9, 30)),
    ("2025-01-15T10:30:00+0100", utc(2025, 1, 15, 9, 30)),
    ("2025-01-15T10:30:00-00:00", utc(2025, 1, 15, 10, 30)),
    ("2025-01-15T10:30:00-05:30", utc(2025, 1, 15, 16, 0)),
    ("2025-01-15T10:30:00+23:59", utc(2025, 1, 14, 10, 31)),
    ("2025-01-15T10:30:00\u221201:00", utc(2025, 1, 15, 11, 30)),  # U+2212 MINUS SIGN
    ("2025-01-15T10:30:00.1Z", utc(2025, 1, 15, 10, 30, 0, 100000)),
    ("2025-01-15T10:30:00.123456Z", utc(2025, 1, 15, 10, 30, 0, 123456)),
    ("2025-01-15T10:30:00.1234567Z", utc(2025, 1, 15, 10, 30, 0, 123456)),
    ("2025-01-15T10:30:00.9999999Z", utc(2025, 1, 15, 10, 30, 0, 999999)),  # truncated
    ("2025-01-15T10:30:00.123456789", utc(2025, 1, 15, 10, 30, 0, 123456)),
    ("2025-01-15T10:30:00,5Z", utc(2025, 1, 15, 10, 30, 0, 500000)),
    ("2025-01-15", utc(2025, 1, 15)),  # a plain date: midnight UTC
    ("2024-02-29", utc(2024, 2, 29)),
    ("0001-01-01T00:00:00Z", utc(1, 1, 1)),
    ("9999-12-31T23:59:59.999999Z", utc(9999, 12, 31, 23, 59, 59, 999999)),
    # Unix timestamps: seconds, or milliseconds beyond 2e10
    ("0", utc(1970, 1, 1)),
    ("1700000000", utc(2023, 11, 14, 22, 13, 20)),
    ("+1700000000", utc(2023, 11, 14, 22, 13, 20)),
    ("-1700000000", utc(1916, 2, 18, 1, 46, 40)),
    ("1700000000.5", utc(2023, 11, 14, 22, 13, 20, 500000)),
    ("1700000000.", utc(2023, 11, 14, 22, 13, 20)),
    ("1.7e9", utc(2023, 11, 14, 22, 13, 20)),
    (".5", utc(1970, 1, 1, 0, 0, 0, 500000)),
    ("0.0000005", utc(1970, 1, 1, 0, 0, 0, 1)),  # rounded half away from zero
    ("0.9999995", utc(1970, 1, 1, 0, 0, 1)),
    ("2025", utc(1970, 1, 1, 0, 33, 45)),
    ("20250115", utc(1970, 8, 23, 9, 1, 55)),  # not a basic-format date: a timestamp
    ("20000000000", utc(2603, 10, 11, 11, 33, 20)),
    ("20000000001", utc(1970, 8, 20, 11, 33, 20, 1000)),
    ("-20000000001", utc(1969, 5, 14, 12, 26, 39, 999000)),
    ("20000000000.5", utc(1970, 8, 20, 11, 33, 20, 500)),
    ("1700000000123", utc(2023, 11, 14, 22, 13, 20, 123000)),
    ("253402300799999", utc(9999, 12, 31, 23, 59, 59, 999000)),
    ("253402300799999.5", utc(9999, 12, 31, 23, 59, 59, 999500)),
    ("-62135596800000", utc(1, 1, 1)),
    # not a date-time: the reason is the date parser's
    ("", date_error("input is too short")),
    ("abc", date_error("input is too short")),
    ("2025-01", date_error("input is too short")),
    ("2025-1-15", date_error("input is too short")),
    ("1e9", date_error("input is too short")),  # an exponent needs a '.'
    ("1.0e400", date_error("input is too short")),
    ("inf", date_error("input is too short")),
    (" 2025-01-15", date_error("invalid character in year")),
    ("\uff12\uff10\uff12\uff15-01-15", date_error("invalid character in year")),
    ("1_700_000_000", date_error("invalid character in year")),
    ("2025/01/15", date_error("invalid date separator, expected `-`")),
    ("20250115T103000Z", date_error("invalid date separator, expected `-`")),
    ("1700000000 ", date_error("invalid date separator, expected `-`")),
    ("2025-W03-3", date_error("invalid character in month")),
    ("2025-01-1x", date_error("invalid character in day")),
    ("2025-13-15T10:30:00Z", date_error("month value is outside expected range of 1-12")),
    ("2025-00-15", date_error("month value is outside expected range of 1-12")),
    ("2025-02-29T10:30:00Z", date_error("day value is outside expected range")),
    ("2025-04-31", date_error("day value is outside expected range")),
    ("2025-01-00", date_error("day value is outside expected range")),
    ("2025-01-15 ", date_error(EXTRA)),
    ("2025-01-15T", date_error(EXTRA)),
    ("2025-01-15T10", date_error(EXTRA)),
    ("2025-01-15T24:00:00Z", date_error(EXTRA)),
    ("2016-12-31T23:59:60Z", date_error(EXTRA)),
    ("2025-01-15T10:30:00+01", date_error(EXTRA)),
    ("2025-01-15T10:30:00+24:00", date_error(EXTRA)),
    ("2025-01-15T10:30:00.Z", date_error(EXTRA)),
    ("2025-01-15T10:30:00Zx", date_error(EXTRA)),
    ("2025-01-15T10:30:00 UTC", date_error(EXTRA)),
    ("99999999999999999999", date_error("invalid date separator, expected `-`")),  # > i64
    ("9223372036854775807", date_error("dates after 9999 are not supported as unix timestamps")),
    ("253402300800000", date_error("dates after 9999 are not supported as unix timestamps")),
    ("-9223372036854775808", date_error("dates before 0000 are not supported as unix timestamps")),
    ("-62167219200001", date_error("dates before 0000 are not supported as unix timestamps")),
    ("-9223372036854775809", date_error("invalid character in year")),
    ("9" * 5000, date_error("invalid date separator, expected `-`")),
    # year 0 parses, but Python cannot hold it
    ("0000-01-01", YEAR_ZERO),
    ("0000-01-01T00:00:00Z", YEAR_ZERO),
    ("-62167219200000", YEAR_ZERO),
    ("\ud800", UNICODE),
]


@pytest.mark.parametrize(("text", "expected"), DATETIME_CASES)
def test_parse_datetime(text: str, expected: dt.datetime | tuple) -> None:
    if isinstance(expected, tuple):
        assert error_of(parse_datetime, text) == expected
    else:
        value = parse_datetime(text)
        assert value.tzinfo is UTC
        assert value == expected


@pytest.mark.parametrize(
    ("text", "offset"),
    [("0001-01-01T00:30:00+01:00", 1), ("9999-12-31T23:30:00-01:00", -1)],
)
def test_datetime_outside_utc_range_keeps_its_offset(text: str, offset: int) -> None:
    """pydantic accepts these; their UTC instant is outside datetime's range."""
    value = parse_datetime(text)
    assert value.utcoffset() == dt.timedelta(hours=offset)
    assert value == dt.datetime.fromisoformat(text)


def test_error_attributes() -> None:
    with pytest.raises(LaxError) as info:
        parse_datetime("2025-13-01")
    error = info.value
    assert error.type == "datetime_from_date_parsing"
    assert error.msg == (
        "Input should be a valid datetime or date, month value is outside expected range of 1-12"
    )
    assert error.ctx == {"error": "month value is outside expected range of 1-12"}
    assert str(error) == error.msg
    with pytest.raises(LaxError) as info:
        parse_int("1.5")
    assert info.value.ctx is None
