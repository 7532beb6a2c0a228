"""Query-string parsing the way pydantic v2 does it in lax mode, without pydantic.

The real service declares its query parameters with FastAPI, so pydantic-core (and its
date-time parser, speedate) decide which strings are valid integers, booleans and
date-times, and which error ``type``, ``msg`` and ``ctx`` an invalid one gets. This module
reproduces that behaviour for ``str`` inputs (date-times: lax_datetime.py); the caller checks
bounds (gt/lt/ge).
"""

from __future__ import annotations

import re

__all__ = ["LaxError", "check_unicode", "parse_bool", "parse_int"]


class LaxError(ValueError):
    """A pydantic-style parsing error."""

    def __init__(self, type: str, msg: str, ctx: dict | None = None):
        super().__init__(msg)
        self.type = type
        self.msg = msg
        self.ctx = ctx

    def __repr__(self) -> str:
        return f"LaxError({self.type!r}, {self.msg!r}, {self.ctx!r})"


def check_unicode(text: str) -> bytes:
    """UTF-8 bytes of ``text``; lone surrogates are pydantic's ``string_unicode`` error."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        msg = "Input should be a valid string, unable to parse raw data as a unicode string"
        raise LaxError("string_unicode", msg) from None


# --------------------------------------------------------------------------- integers

_INT_PARSING = "Input should be a valid integer, unable to parse string as an integer"
_INT_SIZE = "Unable to parse input string as an integer, exceeded maximum size"
_MAX_DIGITS = 4300  # CPython's int_max_str_digits, enforced by pydantic too
# Rust's str::trim() strips the Unicode White_Space characters (not Python's str.isspace set).
_WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
_WHITESPACE += "".join(map(chr, range(0x2000, 0x200B)))  # U+2000..U+200A
_JSON_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")  # a JSON integer: no '+', no leading zero
_TOO_LONG = re.compile(r"-?[1-9][0-9]{4300}")  # a run of more than _MAX_DIGITS digits


def _strip_leading_zeros(s: str) -> str | None:
    """pydantic-core's strip_leading_zeros: drop leading ``0``/``_`` but keep one zero."""
    if s[:1] != "0":
        return s if s[:1] and s[0] in "123456789-" else None
    end = len(s) - len(s.lstrip("0_"))  # the zeros and underscores, '-' and '.' may follow
    if end == len(s):
        return s[-1]
    if s[end] in "123456789-":
        return s[end:]
    return s[end - 1 :] if s[end] == "." else None


def _clean_int_str(text: str) -> str | None:
    """pydantic-core's clean_int_str: trim, signs, leading zeros, ``.0+`` and ``_``."""
    s = text.strip(_WHITESPACE)
    if s.startswith("+"):
        if s[1:2] == "-":
            return None
        s = s[1:]
    negative = s.startswith("-")
    if negative:
        if s[1:2] in ("-", "+"):
            return None
        s = s[1:]
    s = _strip_leading_zeros(s)
    if s is None:
        return None
    dot = s.find(".")
    if dot >= 0 and len(s) > dot + 1 and s[dot + 1 :].strip("0") == "":
        s = s[:dot]
    if "_" in s and s[0] != "_" and s[-1] != "_" and "__" not in s:
        s = s.replace("_", "")
    elif len(s) == len(text):
        return None  # nothing changed: no point parsing again
    return "-" + s if negative else s


def parse_int(text: str) -> int:
    """Parse ``text`` as pydantic's lax ``int`` does; any size, no bounds check."""
    check_unicode(text)
    if _TOO_LONG.match(text):
        raise LaxError("int_parsing_size", _INT_SIZE)
    if _JSON_INT.fullmatch(text):
        return int(text)
    cleaned = _clean_int_str(text)
    if not (cleaned and _JSON_INT.fullmatch(cleaned) and len(cleaned.lstrip("-")) <= _MAX_DIGITS):
        raise LaxError("int_parsing", _INT_PARSING)
    return int(cleaned)


# --------------------------------------------------------------------------- booleans

_TRUE = frozenset({"1", "t", "y", "on", "yes", "true"})
_FALSE = frozenset({"0", "f", "n", "no", "off", "false"})


def parse_bool(text: str) -> bool:
    """Parse ``text`` as pydantic's lax ``bool`` does (ASCII case-insensitive, no trimming)."""
    check_unicode(text)
    key = text.lower() if text.isascii() else ""
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise LaxError("bool_parsing", "Input should be a valid boolean, unable to interpret input")
