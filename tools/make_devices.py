"""Regenerate mockjobs/data/devices/<type>.json: the device specifications the mock serves.

GET /api/v1/devices/specs answers `{device type: spec}`, a spec being a Pulser device's
abstract representation: the SDK's `get_device_specs_dict()` hands them over as strings and
Pulser's `PasqalCloudConnection.fetch_available_devices()` deserializes every one. They are
built here, from Pulser's own devices, and shipped as package data, so that the mock serves
real specs without importing Pulser at run time. tests/test_devices.py compares the files
with what this script builds: a stale file fails it.

Run it with Pulser installed (the test extra pins it)::

    python tools/make_devices.py

Every device is a real `Device` (not a `VirtualDevice`): `Register.with_automatic_layout()`
refuses virtual ones, and a QPUBackend, or a remote emulator mimicking a QPU, accepts nothing
else. Each is named after its type, so that the type a sequence's `device.name` means is
never in doubt (a batch created without a device type takes it from its sequence).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

from pulser.devices import AnalogDevice, Device

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "mockjobs" / "data" / "devices"

sys.path.insert(0, str(ROOT))  # this checkout's mockjobs, not an installed one

from mockjobs.vocabulary import DEVICE_TYPES  # noqa: E402


def qpu(name: str, *, max_atom_num: int, max_runs: int) -> Device:
    """A QPU as Pulser's AnalogDevice describes one, with its own size and shot limit.

    It requires a layout and accepts new ones, as AnalogDevice does: a register given one by
    `with_automatic_layout()` passes a QPUBackend's checks.
    """
    return replace(
        AnalogDevice,
        name=name,
        max_atom_num=max_atom_num,
        max_radial_distance=35,
        max_runs=max_runs,
    )


def emulator(name: str, *, max_atom_num: int, max_radial_distance: int) -> Device:
    """An emulator: AnalogDevice's channels, no layout required, room for more atoms."""
    return replace(
        AnalogDevice,
        name=name,
        max_atom_num=max_atom_num,
        max_radial_distance=max_radial_distance,
        requires_layout=False,
    )


def devices() -> dict[str, Device]:
    """Every device type's device, in the order of DEVICE_TYPES."""
    fresnel = qpu("FRESNEL", max_atom_num=25, max_runs=500)
    built = {
        "FRESNEL": fresnel,
        "FRESNEL_CAN1": qpu("FRESNEL_CAN1", max_atom_num=30, max_runs=1000),
        "EMU_FREE": emulator("EMU_FREE", max_atom_num=25, max_radial_distance=38),
        "EMU_TN": emulator("EMU_TN", max_atom_num=100, max_radial_distance=50),
        # FRESNEL's limits under another name: what runs here runs on FRESNEL.
        "EMU_FRESNEL": replace(fresnel, name="EMU_FRESNEL"),
        "EMU_MPS": emulator("EMU_MPS", max_atom_num=100, max_radial_distance=50),
        "EMU_SV": emulator("EMU_SV", max_atom_num=25, max_radial_distance=38),
    }
    assert tuple(built) == DEVICE_TYPES, "one device per type, in the vocabulary's order"
    return built


def device_files() -> dict[str, str]:
    """Each device type's file, as written: its abstract representation, indented.

    Indented for readable diffs when the specs or Pulser change; the SDK only parses it.
    """
    return {
        device_type: json.dumps(json.loads(device.to_abstract_repr()), indent=2) + "\n"
        for device_type, device in devices().items()
    }


def main() -> None:
    """Write every device type's file, and remove those of types no longer served."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    files = device_files()
    for stale in OUTPUT.glob("*.json"):
        if stale.stem not in files:
            stale.unlink()
    for device_type, text in files.items():
        path = OUTPUT / f"{device_type}.json"
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
