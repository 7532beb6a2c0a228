"""Generated results: the same every time, and fitting the sequence a job was submitted with."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from random import Random
from typing import Any

import pytest

from mockjobs.app import create_app
from mockjobs.data.results import (
    MAX_RAW_BITS,
    MAX_SAMPLES,
    emulator_result,
    generated_result,
    result_for,
)
from mockjobs.data.sequences import abstract_sequence

# Devices as their abstract representation gives them, trimmed to what a sequence needs.
DEVICE = {
    "name": "AnalogDevice", "dimensions": 2, "rydberg_level": 60, "min_atom_distance": 5,
    "max_atom_num": 80, "max_radial_distance": 38, "max_layout_filling": 0.5,
    "max_sequence_duration": 6000, "is_virtual": False,
    "channels": [{"id": "rydberg_global", "basis": "ground-rydberg", "addressing": "Global",
                  "max_abs_detuning": 125.66, "max_amp": 12.56, "clock_period": 4,
                  "min_duration": 16, "max_duration": 100000000}],
}  # fmt: skip

# What result_for gave before registers were read: sha256 of its JSON, for (job id, runs).
BEFORE = {
    ("job-1", 100): "369dd4b5d2bb3079",
    ("3f1c9a52-7e3b-4c1d-9a8e-2b6f0d4c8e11", 1000): "fed02e6ae9491137",
    ("job-2", 0): "cf15485d2cd4700b",
    ("job-3", 250_000): "5eca4a8da50346e2",
    ("job-4", 1): "a96043f8e7f2e07f",
}


def digest(result: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(result).encode()).hexdigest()[:16]


def fits(result: dict[str, Any], runs: int, atoms: int) -> None:
    """Counts sum to runs, every bitstring has one bit per atom, raw (when kept) agrees."""
    assert sum(result["counter"].values()) == runs
    assert {len(bits) for bits in result["counter"]} == {atoms}
    assert result["raw"] == [] or dict(Counter(result["raw"])) == result["counter"]


@pytest.mark.parametrize(("job_id", "runs"), list(BEFORE))
def test_without_a_register_results_are_as_before(job_id: str, runs: int) -> None:
    assert digest(result_for(job_id, runs)) == BEFORE[job_id, runs]


@pytest.mark.parametrize("atoms", [1, 2, 9, 61, 100])
def test_one_bit_per_atom(atoms: int) -> None:
    result = result_for("job-1", 500, atoms)
    fits(result, 500, atoms)
    assert len(result["raw"]) == 500
    assert result == result_for("job-1", 500, atoms)  # the same every time
    assert result != result_for("job-2", 500, atoms)


def test_many_runs_or_many_bits_give_counts_only() -> None:
    many = result_for("job-1", MAX_SAMPLES + 1, 100)
    fits(many, MAX_SAMPLES + 1, 100)
    assert many["raw"] == []
    runs = MAX_RAW_BITS // 1000 + 1  # of a 1,000-atom register: raw would pass MAX_RAW_BITS
    wide = result_for("job-1", runs, 1000)
    fits(wide, runs, 1000)
    assert wide["raw"] == [] and len(wide["counter"]) <= 6
    assert len(result_for("job-1", MAX_RAW_BITS // 1000, 1000)["raw"]) == MAX_RAW_BITS // 1000


def test_an_emulator_result_holds_serialised_results() -> None:
    qubits = ["q0", "q1", "q2"]
    result = emulator_result("job-1", 200, qubits, duration=1500)
    assert list(result) == ["counter", "raw", "serialised_results"]
    assert {k: result[k] for k in ("counter", "raw")} == result_for("job-1", 200, 3)
    serialised = json.loads(result["serialised_results"])
    (key,) = serialised["results"]
    assert serialised == {
        "atom_order": qubits,
        "total_duration": 1500,
        "tagmap": {"bitstrings": key},
        "results": {key: [result["counter"]]},
        "times": {key: [1.0]},
        "aggregation_methods": {key: 3},
    }
    assert emulator_result("job-1", 200, qubits, duration=1500) == result
    assert json.loads(emulator_result("job-2", 200, qubits)["serialised_results"])["tagmap"] != {
        "bitstrings": key
    }


def record(sequence: str | None, cluster: str | None = None, **fields: Any) -> dict[str, Any]:
    base = {"id": "job-1", "runs": 300, "sequence": sequence, "variables": None}
    return base | {"slurm_cluster_name": cluster} | fields


def test_a_generated_result_fits_the_register() -> None:
    sequence = abstract_sequence(Random("s"), DEVICE, 7)
    fits(generated_result(record(sequence)), 300, 7)
    assert "serialised_results" not in generated_result(record(sequence))
    emulated = generated_result(record(sequence, "emu-mps-gpu"))
    fits(emulated, 300, 7)
    atom_order = json.loads(emulated["serialised_results"])["atom_order"]
    assert atom_order == [f"q{i}" for i in range(7)]


@pytest.mark.parametrize("sequence", [None, "", "not json", '{"register": []}'])
def test_without_a_register_a_generated_result_is_as_before(sequence: str | None) -> None:
    for cluster in (None, "emu-sv-cpu"):  # no serialised results either: no atom order to give
        assert generated_result(record(sequence, cluster)) == result_for("job-1", 300)


def test_the_results_link_serves_a_result_that_fits() -> None:
    api = create_app({"SEED": 0}).test_client()
    sequence = abstract_sequence(Random("s"), DEVICE, 5)
    emulated = {"slurm_cluster_name": "emu-mps-gpu", "slurm_job_id": "4180001"}
    api.post("/_mock/jobs", json=[
        {"id": "qpu", "status": "DONE", "runs": 100, "sequence": sequence},
        {"id": "emu", "status": "DONE", "runs": 100, "sequence": sequence} | emulated,
    ])  # fmt: skip
    for job_id in ("qpu", "emu"):
        link = api.get(f"/api/v1/jobs/{job_id}/results_link").get_json()["data"]["results_link"]
        result = api.get(link).get_json()
        fits(result, 100, 5)
        assert ("serialised_results" in result) is (job_id == "emu")
