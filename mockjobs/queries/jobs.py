"""Filters and ordering of the job list: validated parameters in, a peewee query out."""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import and_
from typing import Any

import peewee

from ..store.tables import Job, to_micros
from ..vocabulary import INT64_MAX, INT64_MIN

NOTHING = peewee.SQL("1 = 0")  # a condition no row meets

LIST_FILTERS = ("id", "batch_id", "project_id", "user_id", "status", "origin")


def job_query(
    model: type[Job], params: dict[str, Any], holds_text: Callable[[str], bool] = lambda _: True
) -> peewee.Select | None:
    """Jobs matching every filter of `params`, in their total order (no limit or offset).

    `params` is what `contract.query.parse_query` returns: all 16 parameters, absent ones
    as their defaults (an empty list, `""` or None). A text the store cannot hold matches
    nothing (`holds_text`); None: no job can match.
    """
    conditions = one_of(model, params, LIST_FILTERS, holds_text)
    if conditions is None:
        return None
    if not holds_text(params["id__starts_with"]):
        return None
    if params["id__starts_with"]:
        conditions.extend(starts_with(model.id, params["id__starts_with"]))
    if params["min_runs"] is not None:
        conditions.append(at_least(model.runs, params["min_runs"]))
    if params["max_runs"] is not None:
        conditions.append(at_most(model.runs, params["max_runs"]))
    if params["errors"] is not None:
        no_errors = peewee.Value("[]", converter=False)  # the stored form of an empty list
        conditions.append(
            model.errors != no_errors if params["errors"] else model.errors == no_errors
        )
    if params["start_date"] is not None:
        conditions.append(model.start_timestamp >= to_micros(params["start_date"]))
    if params["end_date"] is not None:
        conditions.append(model.end_timestamp <= to_micros(params["end_date"]))

    query = model.select()
    if conditions:
        query = query.where(reduce(and_, conditions))
    return query.order_by(*ordering(model, params["order_by"], params["order_by_direction"]))


def one_of(
    model: type[peewee.Model],
    params: dict[str, Any],
    names: tuple[str, ...],
    holds_text: Callable[[str], bool],
) -> list[peewee.Expression] | None:
    """`field IN (values)` for each repeated parameter given; None when one can match nothing."""
    conditions = []
    for name in names:
        if params[name]:
            values = [value for value in params[name] if holds_text(value)]
            if not values:
                return None
            conditions.append(getattr(model, name).in_(values))
    return conditions


def ordering(model: type[Job], field_name: str, direction: str) -> list[peewee.Ordering]:
    """A total order: `id` breaks ties in the same direction; nulls go where PostgreSQL puts them."""
    field = getattr(model, field_name)
    if direction == "ASC":
        keys = [field.asc(nulls="LAST") if field.null else field.asc()]
        return keys if field_name == "id" else [*keys, model.id.asc()]
    keys = [field.desc(nulls="FIRST") if field.null else field.desc()]
    return keys if field_name == "id" else [*keys, model.id.desc()]


def starts_with(field: peewee.Field, prefix: str) -> list[peewee.Expression]:
    """`field` starts with `prefix`, literally and case-sensitively, as a range the index serves.

    Strings compare by code point, so the strings with a prefix are those from the prefix
    itself up to (excluding) the prefix with its last character incremented.
    """
    conditions = [field >= prefix]
    upper = successor(prefix)
    if upper is not None:
        conditions.append(field < upper)
    return conditions


def successor(prefix: str) -> str | None:
    """The smallest string above every string that starts with `prefix` (None: no bound)."""
    while prefix:
        code = ord(prefix[-1]) + 1
        if code == 0xD800:  # surrogates are not characters
            code = 0xE000
        if code <= 0x10FFFF:
            return prefix[:-1] + chr(code)
        prefix = prefix[:-1]
    return None


def at_least(field: peewee.Field, bound: int) -> peewee.Node:
    """`field >= bound` for an integer of any size (the column holds 64-bit integers)."""
    if bound > INT64_MAX:
        return NOTHING
    return field >= max(bound, INT64_MIN)


def at_most(field: peewee.Field, bound: int) -> peewee.Node:
    if bound < INT64_MIN:
        return NOTHING
    return field <= min(bound, INT64_MAX)
