"""The device specs the mock ships: real Pulser devices, not stale, that a sequence runs on.

Pulser is a test dependency only: mockjobs.data.devices reads the files without it; here
they are read as Pulser's PasqalCloudConnection.fetch_available_devices() reads them, with
`deserialize_device` on every spec.
"""

from __future__ import annotations

import importlib.util
import json
from importlib.resources import files
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from pulser import Pulse, Register, Sequence
from pulser.backend.remote import RemoteBackend
from pulser.devices import Device, VirtualDevice
from pulser.json.abstract_repr.deserializer import deserialize_device

from mockjobs.data.devices import device_names, device_specs
from mockjobs.vocabulary import DEVICE_TYPES, QPU_TYPES

MAKE_DEVICES = Path(__file__).resolve().parent.parent / "tools" / "make_devices.py"


def load_make_devices() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_devices", MAKE_DEVICES)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fetched(device_type: str) -> Device | VirtualDevice:
    """The device a client gets for `device_type` from the served specs."""
    return deserialize_device(device_specs()[device_type])


def test_one_spec_per_device_type_and_no_other_file() -> None:
    assert list(device_specs()) == list(DEVICE_TYPES)
    folder = files("mockjobs.data") / "devices"
    assert sorted(entry.name for entry in folder.iterdir()) == sorted(
        f"{device_type}.json" for device_type in DEVICE_TYPES
    )


def test_the_files_are_what_make_devices_builds_now() -> None:
    built = load_make_devices().device_files()
    stale = [
        device_type
        for device_type in DEVICE_TYPES
        if device_specs()[device_type] != built[device_type]
    ]
    assert not stale, f"stale device specs {stale}: run `python tools/make_devices.py`"


@pytest.mark.parametrize("device_type", DEVICE_TYPES)
def test_every_spec_deserializes_to_a_device_named_after_its_type(device_type: str) -> None:
    device = fetched(device_type)
    assert device.name == device_names()[device_type] == device_type


@pytest.mark.parametrize("device_type", QPU_TYPES)
def test_a_qpu_is_a_real_device(device_type: str) -> None:
    device = fetched(device_type)
    assert isinstance(device, Device) and not isinstance(device, VirtualDevice)
    assert device.requires_layout


def test_names_are_distinct() -> None:
    """A sequence's device name says which type it means, whatever the type."""
    assert len(set(device_names().values())) == len(DEVICE_TYPES)


@pytest.mark.parametrize("device_type", DEVICE_TYPES)
def test_a_5x5_sequence_runs_on_every_device(device_type: str) -> None:
    """The register and sequence of a client's first run, checked as a QPUBackend checks them.

    The qubit ids are strings: int ids would raise Pulser's DeprecationWarning, and
    serializing them its UserWarning (they become strings), both errors here.
    """
    device = fetched(device_type)
    assert isinstance(device, Device)  # with_automatic_layout() refuses a VirtualDevice
    register = Register.square(5, 5, prefix="q").with_automatic_layout(device)
    sequence = Sequence(register, device)
    sequence.declare_channel("rydberg", "rydberg_global")
    sequence.add(Pulse.ConstantPulse(1000, np.pi, 0, 0), "rydberg")
    sequence.measure("ground-rydberg")
    RemoteBackend.validate_sequence(sequence, mimic_qpu=True)
    serialized = json.loads(sequence.to_abstract_repr())
    assert serialized["device"]["name"] == device_type  # what a batch without a type runs on
