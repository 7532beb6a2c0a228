"""Filters of the batch list (the SDK's BatchFilters): validated parameters in, a query out."""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import and_
from typing import Any

import peewee

from ..store.tables import Batch, to_micros
from .jobs import one_of

LIST_FILTERS = ("id", "project_id", "user_id", "device_type", "status", "queue_priority")


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
