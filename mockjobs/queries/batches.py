"""Filters of the batch list (the SDK's BatchFilters): validated parameters in, a query out."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from functools import reduce
from operator import and_
from typing import Any

import peewee

from ..store.tables import Batch, to_micros
from .index import Index, IndexSpec, Mask, Matches, both
from .jobs import one_of

LIST_FILTERS = ("id", "project_id", "user_id", "device_type", "status", "queue_priority")
BATCH_INDEX = IndexSpec(
    texts=LIST_FILTERS[1:],
    numbers=("created_at",),
    flags={"open": '"open"'},
    lists=("tags",),
    orders=("created_at",),
)


def batch_query(
    model: type[Batch], params: dict[str, Any], holds_text: Callable[[str], bool] = lambda _: True
) -> peewee.Select | None:
    """Batches matching every filter of `params` but `tag` (the store's `tagged`), newest first.

    None: none can match.
    """
    conditions = one_of(model, params, LIST_FILTERS, holds_text)
    if conditions is None:
        return None
    if params["open"] is not None:
        conditions.append(model.open == params["open"])
    if params["start_date"] is not None:
        conditions.append(model.created_at >= to_micros(params["start_date"]))
    if params["end_date"] is not None:
        conditions.append(model.created_at <= to_micros(params["end_date"]))
    query = model.select()
    if conditions:
        query = query.where(reduce(and_, conditions))
    return query.order_by(model.created_at.desc(), model.id.desc())


def id_query(
    model: type[Batch], params: dict[str, Any], holds_text: Callable[[str], bool]
) -> peewee.Select | None:
    """The batches of the ids `params` names, in no order (None: none)."""
    conditions = one_of(model, params, ("id",), holds_text)
    return None if conditions is None else model.select().where(*conditions)


def indexed_batches(
    index: Index, params: dict[str, Any], with_ids: Callable[[], Sequence[int]]
) -> array | Matches:
    """The row ids `batch_query` and the `tag` filter would give, from the index.

    `with_ids`: the row ids of the batches `id_query` selects (the index holds no ids).
    """
    mask: Mask = None
    for name in LIST_FILTERS[1:]:
        if params[name]:
            mask = both(mask, index.one_of(name, params[name]))
    if params["id"]:
        mask = both(mask, index.at(with_ids()))
    if params["open"] is not None:
        mask = both(mask, index.flag("open", params["open"]))
    start, end = params["start_date"], params["end_date"]
    if start is not None or end is not None:
        low = None if start is None else to_micros(start)
        high = None if end is None else to_micros(end)
        mask = both(mask, index.between("created_at", low, high))
    if params["tag"] is not None:
        mask = both(mask, index.having("tags", params["tag"]))
    return index.ordered(mask, "created_at", "DESC")
