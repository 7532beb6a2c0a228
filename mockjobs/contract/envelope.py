"""The JSend envelope of every answer of the service, written once."""

from __future__ import annotations

import json
from typing import Any

SUCCESS = {"status": "success", "message": "OK.", "code": "200"}
# The envelope of a page, before and after its items (the list's hot path joins bytes).
PAGE_HEAD = json.dumps(SUCCESS, separators=(",", ":"))[:-1].encode() + b',"data":['
PAGE_TAIL = b'],"pagination":{"total":%d,"start":%d,"end":%d}}'


def jsend_success(data: Any) -> dict[str, Any]:
    return {**SUCCESS, "data": data}


def jsend_fail(status: int, message: str) -> dict[str, Any]:
    """`fail`: the client's request cannot be met (an unknown id, a refused transition)."""
    return {"status": "fail", "message": message, "code": str(status), "data": None}


def jsend_error(status: int, message: str) -> dict[str, Any]:
    """`error`: the server failed (what an armed fault answers)."""
    return {"status": "error", "message": message, "code": str(status), "data": None}


def content_range(total: int, start: int, count: int) -> str:
    """`first-last/total`, 1-based and inclusive; `*/total` for an empty page."""
    return f"{start + 1}-{start + count}/{total}" if count else f"*/{total}"
