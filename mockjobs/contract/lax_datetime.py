"""Date-times parsed as pydantic v2 (speedate) parses a query string, with its error reasons.

pydantic tries a date-time, then a date, and reports the date's error: `datetime_from_date_parsing`
with "Input should be a valid datetime or date, REASON". A number is a Unix timestamp.
"""

from __future__ import annotations

import datetime as _dt
import math
import re

from .lax import LaxError, check_unicode

_MS_WATERSHED = 20_000_000_000  # a timestamp beyond this (in absolute value) is in ms
_UNIX_0000 = -62_167_219_200  # 0000-01-01T00:00:00Z, speedate's lower bound
_UNIX_0001 = -62_135_596_800  # 0001-01-01T00:00:00Z, Python's lower bound
_UNIX_9999 = 253_402_300_799  # 9999-12-31T23:59:59Z, the upper bound
_I64 = 2**63
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_INT_TS = re.compile(rb"[+-]?[0-9]+")
_FLOAT_TS = re.compile(rb"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # needs a '.'
_MINUS_SIGN = "\u2212".encode()  # ISO 8601 allows U+2212 for a negative offset
_TOO_SMALL = "dates before 0000 are not supported as unix timestamps"
_TOO_LARGE = "dates after 9999 are not supported as unix timestamps"


class _Fail(Exception):
    """A speedate parse error; its text is speedate's error message."""


class _YearZero(Exception):
    """speedate accepted year 0, which Python's datetime cannot hold."""


def _num(b: bytes, start: int, count: int, error: str = "") -> int:
    """The number written with ``count`` ASCII digits at ``b[start:]``."""
    digits = b[start : start + count]
    if len(digits) != count or not digits.isdigit():  # bytes.isdigit() is ASCII-only
        raise _Fail(error)
    return int(digits)


def _parse_date(b: bytes) -> tuple[int, int, int]:
    """speedate's Date::parse_bytes_partial: ``YYYY-MM-DD`` at the start of ``b``."""
    if len(b) < 10:
        raise _Fail("input is too short")
    year = _num(b, 0, 4, "invalid character in year")
    separator = "invalid date separator, expected `-`"
    if b[4:5] != b"-":
        raise _Fail(separator)
    month = _num(b, 5, 2, "invalid character in month")
    if b[7:8] != b"-":
        raise _Fail(separator)
    day = _num(b, 8, 2, "invalid character in day")
    if not 1 <= month <= 12:
        raise _Fail("month value is outside expected range of 1-12")
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= day <= (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]:
        raise _Fail("day value is outside expected range")
    return year, month, day


def _parse_time(b: bytes, pos: int) -> tuple[int, int, int, int, int | None]:
    """speedate's Time::parse_bytes_offset: ``HH:MM[:SS[.f+]][Z|±HH[:]MM]`` to the end of ``b``."""
    if b[pos + 2 : pos + 3] != b":":
        raise _Fail()
    hour, minute = _num(b, pos, 2), _num(b, pos + 3, 2)
    second = micro = 0
    pos += 5
    if b[pos : pos + 1] == b":":
        second = _num(b, pos + 1, 2)
        pos += 3
        if b[pos : pos + 1] in (b".", b","):
            end = pos + 1
            while b[end : end + 1].isdigit():
                end += 1
            micro = int(b[pos + 1 : min(end, pos + 7)].ljust(6, b"0"))  # truncated, not rounded
            if end == pos + 1:
                raise _Fail()
            pos = end
    if hour > 23 or minute > 59 or second > 59:  # no leap second
        raise _Fail()
    offset = None
    if b[pos : pos + 1] in (b"Z", b"z"):
        offset, pos = 0, pos + 1
    elif pos < len(b):
        if b[pos : pos + 1] in (b"+", b"-"):
            sign, pos = (1 if b[pos] == 0x2B else -1), pos + 1
        elif b[pos : pos + 3] == _MINUS_SIGN:
            sign, pos = -1, pos + 3
        else:
            raise _Fail()
        hours = _num(b, pos, 2)
        pos += 3 if b[pos + 2 : pos + 3] == b":" else 2
        minutes = _num(b, pos, 2)
        pos += 2
        offset = sign * (hours * 3600 + minutes * 60)
        if minutes > 59 or abs(offset) >= 86_400:
            raise _Fail()
    if pos < len(b):
        raise _Fail()
    return hour, minute, second, micro, offset


def _int_timestamp(b: bytes) -> int | None:
    """speedate's int_parse_bytes: an optionally signed run of digits that fits an i64."""
    if not _INT_TS.fullmatch(b):
        return None
    digits = b.lstrip(b"+-").lstrip(b"0")
    if len(digits) > 19:  # no i64 has more (and int() refuses over 4300 digits)
        return None
    value = -int(digits or b"0") if b.startswith(b"-") else int(digits or b"0")
    return value if -_I64 <= value < _I64 else None


def _from_timestamp(stamp: int, micro: int, millis: bool | None = None) -> _dt.datetime:
    """speedate's DateTime::from_timestamp; ``stamp`` is in ms if ``millis`` (None: if > 2e10)."""
    if millis is None:
        millis = abs(stamp) > _MS_WATERSHED
    if millis:
        stamp, remainder = divmod(stamp, 1000)
        micro += remainder * 1000
    seconds = stamp + micro // 1_000_000
    if seconds < _UNIX_0000:
        raise _Fail(_TOO_SMALL)
    if seconds > _UNIX_9999:
        raise _Fail(_TOO_LARGE)
    if seconds < _UNIX_0001:
        raise _YearZero
    return _EPOCH + _dt.timedelta(seconds=seconds, microseconds=micro % 1_000_000)


def _float_timestamp(b: bytes) -> _dt.datetime:
    """speedate's float timestamp: ms beyond 2e10, rounded to the microsecond."""
    value = float(b)
    if not math.isfinite(value):
        raise _Fail(_TOO_LARGE)
    millis = abs(value) > _MS_WATERSHED
    whole = math.floor(value)
    fraction = (value - whole) * (1_000 if millis else 1_000_000)  # in microseconds
    micro = math.floor(fraction)
    micro += fraction - micro >= 0.5  # Rust's f64::round: half away from zero
    return _from_timestamp(whole, micro, millis)


def _datetime_path(b: bytes) -> _dt.datetime | None:
    """speedate's DateTime::parse_bytes: date and time, or a Unix timestamp; None if invalid."""
    try:
        year, month, day = _parse_date(b)
        if b[10:11] not in (b"T", b"t", b" ", b"_"):
            raise _Fail()
        hour, minute, second, micro, offset = _parse_time(b, 11)
    except _Fail:
        stamp = _int_timestamp(b)
        try:
            if stamp is not None:
                return _from_timestamp(stamp, 0)
            return _float_timestamp(b) if _FLOAT_TS.fullmatch(b) else None
        except _Fail:
            return None
    if year == 0:
        raise _YearZero
    tz = _dt.UTC if offset is None else _dt.timezone(_dt.timedelta(seconds=offset))
    return _dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)


def _date_path(b: bytes) -> _dt.datetime:
    """speedate's Date::parse_bytes (``YYYY-MM-DD`` or a timestamp), at midnight UTC."""
    try:
        year, month, day = _parse_date(b)
        if len(b) > 10:
            raise _Fail("unexpected extra characters at the end of the input")
    except _Fail:
        stamp = _int_timestamp(b)
        if stamp is None:
            raise
        # A timestamp in range was a valid datetime already: this raises speedate's range error.
        return _from_timestamp(stamp, 0)
    if year == 0:
        raise _YearZero
    return _dt.datetime(year, month, day, tzinfo=_dt.UTC)


def parse_datetime(text: str) -> _dt.datetime:
    """Parse ``text`` as pydantic's lax ``datetime`` does; always aware, in UTC.

    Naive input is taken as UTC. Only an instant that Python's datetime cannot express in UTC
    (``0001-01-01T00:30+01:00``, ``9999-12-31T23:30-01:00``: pydantic accepts both) keeps its
    own fixed offset; it still compares correctly with any aware datetime.
    """
    b = check_unicode(text)
    try:
        moment = _datetime_path(b)
        if moment is None:  # pydantic then tries a date, and reports the date's error
            try:
                moment = _date_path(b)
            except _Fail as error:
                msg = f"Input should be a valid datetime or date, {error}"
                raise LaxError("datetime_from_date_parsing", msg, {"error": str(error)}) from None
    except _YearZero:
        # pydantic says `datetime_parsing`, "Input should be a valid datetime, ..." here;
        # SPEC.md section 3 makes every date-time error `datetime_from_date_parsing`.
        reason = "year 0 is out of range"
        msg = f"Input should be a valid datetime or date, {reason}"
        raise LaxError("datetime_from_date_parsing", msg, {"error": reason}) from None
    try:
        return moment.astimezone(_dt.UTC)
    except OverflowError:
        return moment
