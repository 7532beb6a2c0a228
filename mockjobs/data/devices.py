"""The device specifications GET /api/v1/devices/specs serves: package data, read as stored.

Each spec is a Pulser device's abstract representation, written by tools/make_devices.py,
so that the mock serves real specs without importing Pulser.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

from mockjobs.vocabulary import DEVICE_TYPES


@cache
def device_specs() -> dict[str, str]:
    """Each device type's spec, in the order of DEVICE_TYPES: the file's text, unchanged.

    A string, not a parsed object: the API serves specs as strings and Pulser parses them.
    """
    folder = files("mockjobs.data") / "devices"
    return {kind: (folder / f"{kind}.json").read_text(encoding="utf-8") for kind in DEVICE_TYPES}


@cache
def device_names() -> dict[str, str]:
    """Each device type's device name: the type a sequence's `device.name` stands for."""
    return {kind: json.loads(spec)["name"] for kind, spec in device_specs().items()}
