"""Filters and ordering of the job list: validated parameters in, a peewee query out."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from functools import reduce
from operator import and_
from typing import Any

import peewee

from ..store.tables import Job, to_micros
from ..vocabulary import INT64_MAX, INT64_MIN, SORTABLE_FIELDS
from .index import Index, IndexSpec, Mask, Matches, both

NOTHING = peewee.SQL("1 = 0")  # a condition no row meets

LIST_FILTERS = ("id", "batch_id", "project_id", "user_id", "status", "origin")
NO_ERRORS = "[]"  # the stored form of an empty error list
JOB_INDEX = IndexSpec(
    texts=LIST_FILTERS[1:],
    numbers=("runs", "start_timestamp", "end_timestamp"),
    flags={"errors": f"errors != '{NO_ERRORS}'"},
    orders=SORTABLE_FIELDS,
)


def job_query(
    model: type[Job], params: dict[str, Any], holds_text: Callable[[str], bool] = lambda _: True
) -> peewee.Select | None:
    """Jobs matching every filter of `params`, in their total order (no limit or offset).

    `params` is what `contract.query.parse_query` returns: all 16 parameters, absent ones
    as their defaults (an empty list, `""` or None). A text the store cannot hold matches
    nothing (`holds_text`); None: no job can match.
    """
    conditions = id_conditions(model, params, holds_text)
    others = one_of(model, params, LIST_FILTERS[1:], holds_text)
    if conditions is None or others is None:
        return None
    conditions += others
    if params["min_runs"] is not None:
        conditions.append(at_least(model.runs, params["min_runs"]))
    if params["max_runs"] is not None:
        conditions.append(at_most(model.runs, params["max_runs"]))
    if params["errors"] is not None:
        no_errors = peewee.Value(NO_ERRORS, converter=False)
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


def id_conditions(
    model: type[Job], params: dict[str, Any], holds_text: Callable[[str], bool]
) -> list[peewee.Expression] | None:
    """The conditions of `id` and `id__starts_with` (None: no job can match)."""
    conditions = one_of(model, params, ("id",), holds_text)
    if conditions is None or not holds_text(params["id__starts_with"]):
        return None
    if params["id__starts_with"]:
        conditions.extend(starts_with(model.id, params["id__starts_with"]))
    return conditions


def id_query(
    model: type[Job], params: dict[str, Any], holds_text: Callable[[str], bool]
) -> peewee.Select | None:
    """The jobs that `id_conditions` selects, in no order (None: none)."""
    conditions = id_conditions(model, params, holds_text)
    return None if conditions is None else model.select().where(reduce(and_, conditions))


def indexed_jobs(
    index: Index, params: dict[str, Any], with_ids: Callable[[], Sequence[int]]
) -> array | Matches:
    """The row ids `job_query` would give, from the index.

    `with_ids`: the row ids of the jobs that `id_conditions` selects, which the database's
    primary key finds (the index holds no ids).
    """
    mask: Mask = None
    for name in LIST_FILTERS[1:]:
        if params[name]:
            mask = both(mask, index.one_of(name, params[name]))
    if params["id"] or params["id__starts_with"]:  # the database's primary key finds ids
        mask = both(mask, index.at(with_ids()))
    low, high = params["min_runs"], params["max_runs"]
    if (low is not None and low > INT64_MAX) or (high is not None and high < INT64_MIN):
        return array("q")
    if low is not None or high is not None:
        low = None if low is None else max(low, INT64_MIN)
        high = None if high is None else min(high, INT64_MAX)
        mask = both(mask, index.between("runs", low, high))
    if params["errors"] is not None:
        mask = both(mask, index.flag("errors", params["errors"]))
    if params["start_date"] is not None:
        mask = both(mask, index.between("start_timestamp", low=to_micros(params["start_date"])))
    if params["end_date"] is not None:
        mask = both(mask, index.between("end_timestamp", high=to_micros(params["end_date"])))
    return index.ordered(mask, params["order_by"], params["order_by_direction"])


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
