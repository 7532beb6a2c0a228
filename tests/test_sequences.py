"""Pulser sequences read and written without Pulser, checked with Pulser itself."""

from __future__ import annotations

import dataclasses
import json
import time
from random import Random
from typing import Any

import pytest
from pulser import Pulse, Register, Sequence
from pulser.backend import BitStrings, Results
from pulser.backend.qpu import QPUBackend
from pulser.devices import AnalogDevice, DigitalAnalogDevice, MockDevice
from pulser.json.utils import make_json_compatible
from pulser.register.special_layouts import SquareLatticeLayout
from pulser.waveforms import BlackmanWaveform

from mockjobs.data.results import emulator_result
from mockjobs.data.sequences import MAX_VALUES, abstract_sequence, max_atoms, qubit_ids

MiB = 1 << 20
CLOSED = dataclasses.replace(AnalogDevice, accepts_new_layouts=False)  # its calibrated layout only
DEVICES = [AnalogDevice, DigitalAnalogDevice, MockDevice, CLOSED]


def spec(device: Any) -> dict[str, Any]:
    return json.loads(device.to_abstract_repr())


def written(register: Any, device: Any = AnalogDevice) -> str:
    """A Pulser sequence on `register`: a π pulse on the global channel, as Pulser writes it."""
    seq = Sequence(register, device)
    seq.declare_channel("rydberg_global", "rydberg_global")
    seq.add(Pulse.ConstantDetuning(BlackmanWaveform(1000, 3.14), 0.0, 0.0), "rydberg_global")
    seq.measure("ground-rydberg")
    return seq.to_abstract_repr()


def atom_order(text: str, variables: dict[str, Any] | None) -> list[str]:
    """The atom order the SDK gives a job's result (`PasqalCloudConnection._query_job_progress`)."""
    ids = Sequence.from_abstract_repr(text).get_register(include_mappable=True).qubit_ids
    size = len(variables["qubits"]) if variables and "qubits" in variables else None
    return list(ids[slice(size)])


def test_the_qubits_of_a_register() -> None:
    text = written(Register.square(3, spacing=6, prefix="q").with_automatic_layout(AnalogDevice))
    assert qubit_ids(text, None) == [f"q{i}" for i in range(9)] == atom_order(text, None)
    assert qubit_ids(text, {"qubits": {"q0": 1}}) == qubit_ids(text, {"omega": 2.0})  # no traps
    chosen = written(Register({"b": (0, 0), "a": (6, 0), "c": (0, 6)}), MockDevice)
    assert qubit_ids(chosen, None) == ["b", "a", "c"]  # the register's order, not sorted


def test_the_qubits_of_a_mappable_register() -> None:
    layout = AnalogDevice.pre_calibrated_layouts[0]
    seq = Sequence.from_abstract_repr(written(layout.make_mappable_register(6, prefix="q")))
    text = seq.to_abstract_repr()
    placed = make_json_compatible({"qubits": {"q0": 30, "q1": 31, "q2": 23}})  # as Pulser sends
    expected = ["q0", "q1", "q2"]
    assert qubit_ids(text, placed) == expected == atom_order(text, placed)
    assert list(seq.build(qubits=placed["qubits"]).register.qubit_ids) == expected
    assert qubit_ids(text, {"qubits": [30, 31]}) == ["q0", "q1"]
    everyone = [f"q{i}" for i in range(6)]
    assert (
        qubit_ids(text, None) == qubit_ids(text, {"omega": 1}) == everyone == atom_order(text, None)
    )
    assert qubit_ids(text, {"qubits": {f"q{i}": i for i in range(9)}}) == everyone
    for nonsense in ({}, [], "q0", 3):
        assert qubit_ids(text, {"qubits": nonsense}) is None


NOT_SEQUENCES = [
    None, "", "null", "[]", "{}", "3", '"{}"', '{"register": 3}', '{"register": []}',
    '{"register": [{"name": 1, "x": 0, "y": 0}]}', '{"register": [{"x": 0, "y": 0}]}',
    '{"register": [{"name": "a"}, {"qid": "b"}]}', '{"register": [{"name": "a"}, 7]}',
    '{"register": [{"name": "a"}, {"name": "a"}]}', '{"register": [{"name": "q0"}]',
    '{"register": [{"name": "q0"}]} trailing', '{"n": ' + "9" * 5000 + "}", "\ud800{",
]  # fmt: skip


@pytest.mark.parametrize("text", NOT_SEQUENCES)
def test_anything_else_has_no_qubits(text: str | None) -> None:
    assert qubit_ids(text, None) is None
    assert qubit_ids(text, {"qubits": {"q0": 1}}) is None


HUGE = {
    "garbage": lambda: "{" + "".join(Random(0).choices('{}[]",:019abc \n', k=MiB)) * 16,
    "an object of garbage": lambda: "{" + "x" * (16 * MiB - 1),
    "deep lists": lambda: '{"register": ' + "[" * (16 * MiB - 13),
    "deep objects": lambda: '{"a": ' * (16 * MiB // 6),
    "deep but short": lambda: '{"register": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "white space": lambda: " " * (16 * MiB - 1) + "{",
    "a valid object of many values": lambda: (
        '{"register": [{"name": "q0"}], "pad": [' + "{}," * (8 * MiB // 3) + "0]}"
    ),
}


@pytest.mark.parametrize("make", HUGE.values(), ids=HUGE.keys())
def test_huge_or_deep_text_has_no_qubits_and_costs_little(make: Any) -> None:
    text = make()
    start = time.perf_counter()
    assert qubit_ids(text, None) is None
    assert time.perf_counter() - start < 1.0  # measured: well under 0.1 s


def test_a_sequence_of_a_thousand_atoms() -> None:
    register = Register.rectangle(25, 40, spacing=5, prefix="q")
    text = written(register, MockDevice)
    assert text.count(",") + text.count("[") + text.count("{") < MAX_VALUES
    assert qubit_ids(text, None) == list(register.qubit_ids)


def test_an_emulator_result_is_pulser_results() -> None:
    qubits = ["q0", "q1", "q2", "q3"]
    result = emulator_result("job-1", 300, qubits, duration=2000)
    results = Results.from_abstract_repr(result["serialised_results"])
    assert results.final_bitstrings == result["counter"]
    assert results.get_result("bitstrings", 1.0) == result["counter"]
    assert (results.atom_order, results.total_duration) == (tuple(qubits), 2000)
    # Pulser's own, but for the observable's uuid (uuid4 there, drawn from the job id here)
    own = Results(atom_order=tuple(qubits), total_duration=2000)
    observable = BitStrings()
    own._store(observable=observable, time=1.0, value=result["counter"])
    key = str(observable.uuid)
    ours = json.loads(result["serialised_results"])
    (uuid,) = ours["results"]
    assert json.loads(own.to_abstract_repr().replace(key, uuid)) == ours


@pytest.mark.parametrize("device", DEVICES, ids=["analog", "digital-analog", "mock", "closed"])
def test_a_written_sequence_is_one_pulser_reads(device: Any) -> None:
    device_spec = spec(device)
    largest = max_atoms(device_spec)
    assert largest >= 25
    for atoms in (1, 2, 7, 16, largest):
        text = abstract_sequence(Random(f"seq-{atoms}"), device_spec, atoms)
        seq = Sequence.from_abstract_repr(text)  # validated against the schema, then built
        assert list(seq.register.qubit_ids) == [f"q{i}" for i in range(atoms)]
        assert qubit_ids(text, None) == list(seq.register.qubit_ids)
        assert seq.get_measurement_basis() == "ground-rydberg"
        assert list(seq.declared_channels) == ["rydberg_global"]
        assert seq.device == device
        if device is not MockDevice:
            QPUBackend.validate_sequence(seq, mimic_qpu=True)  # layout as the device wants it
    too_many = [0] + ([device_spec["max_atom_num"] + 1] if device_spec["max_atom_num"] else [])
    for atoms in too_many:
        with pytest.raises(ValueError, match=r"cannot hold|no calibrated layout"):
            abstract_sequence(Random(0), device_spec, atoms)


def test_a_written_register_is_a_square_on_a_square_lattice_layout() -> None:
    text = abstract_sequence(Random(3), spec(AnalogDevice), 9)
    written_ = json.loads(text)
    xs = sorted({x for x, _ in written_["layout"]["coordinates"]})
    ys = sorted({y for _, y in written_["layout"]["coordinates"]})
    spacing = xs[1] - xs[0]
    assert spacing >= 5
    layout = SquareLatticeLayout(len(ys), len(xs), spacing)
    assert Sequence.from_abstract_repr(text).register.layout == layout
    assert written_["layout"]["slug"] == layout.slug
    square = layout.square_register(3, prefix="q").qubits.values()
    assert [[atom["x"], atom["y"]] for atom in written_["register"]] == [p.tolist() for p in square]
    assert "layout" not in json.loads(abstract_sequence(Random(3), spec(MockDevice), 9))
    on_calibrated = Sequence.from_abstract_repr(abstract_sequence(Random(3), spec(CLOSED), 9))
    assert on_calibrated.register.layout in CLOSED.pre_calibrated_layouts


def test_a_written_sequence_is_the_same_for_the_same_draws() -> None:
    device_spec = spec(AnalogDevice)
    texts = {abstract_sequence(Random(f"seq-{seed}"), device_spec, 9) for seed in range(20)}
    assert abstract_sequence(Random("seq-0"), device_spec, 9) in texts
    assert len(texts) > 10  # spacings and pulses vary
    pulses = [json.loads(text)["operations"] for text in texts]
    assert {len(operations) for operations in pulses} == {1, 2}  # a π pulse, or rise and sweep
