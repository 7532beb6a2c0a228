"""The results of DONE jobs that store none: generated from the job, the same every time."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from random import Random
from typing import Any

from .sequences import qubit_ids

MAX_SAMPLES = 100_000  # runs beyond this get counts only: a list of samples would be unbounded
MAX_RAW_BITS = 100 * MAX_SAMPLES  # and so do runs whose samples would hold more bits than this
BAG_UNION = 3  # pulser.backend.AggregationMethod.BAG_UNION: how BitStrings counters aggregate


def result_for(job_id: str, runs: int, atoms: int | None = None) -> dict[str, Any]:
    """The result of a DONE job that stores none: the same for the same job, every time.

    `{"counter": {bitstring: count}, "raw": [bitstring, ...]}`, `runs` samples in all, drawn
    from a few likely states of `atoms` atoms (when no register is known, 2 to 5), as a QPU or
    emulator reports them. Beyond MAX_SAMPLES runs, or MAX_RAW_BITS bits of samples, `raw` is
    empty and the counts still sum to `runs`.
    """
    rnd = Random(f"result-{job_id}")  # a string seed hashes the same everywhere
    width = rnd.randint(2, 5) if atoms is None else atoms
    states = [format(rnd.getrandbits(width), f"0{width}b") for _ in range(rnd.randint(2, 6))]
    weights = [rnd.random() ** 2 for _ in states]
    if runs > MAX_SAMPLES or runs * width > MAX_RAW_BITS:  # counts in proportion to the weights
        shares = [int(runs * w / sum(weights)) for w in weights]
        shares[0] += runs - sum(shares)
        counts = {state: 0 for state in states}
        for state, share in zip(states, shares, strict=True):
            counts[state] += share
        return {"counter": dict(sorted(c for c in counts.items() if c[1])), "raw": []}
    raw = rnd.choices(states, weights, k=max(runs, 0))
    counter: dict[str, int] = {}
    for sample in raw:
        counter[sample] = counter.get(sample, 0) + 1
    return {"counter": dict(sorted(counter.items())), "raw": raw}


def emulator_result(
    job_id: str, runs: int, qubits: Sequence[str], duration: int = 0
) -> dict[str, Any]:
    """An emulator's result: `result_for`'s, with the same counter as Pulser `Results` too.

    `serialised_results` is what `pulser.backend.Results.from_abstract_repr` reads (and the
    SDK prefers to the counter): the final bitstrings of a `BitStrings()` observable at time
    1.0, bit i of each string the qubit `qubits[i]`; `duration` is the sequence's, in ns.
    """
    result = result_for(job_id, runs, len(qubits))
    serialised = serialised_results(job_id, qubits, duration, result["counter"])
    return result | {"serialised_results": serialised}


def serialised_results(
    job_id: str, qubits: Sequence[str], duration: int, counter: Mapping[str, int]
) -> str:
    """Pulser's abstract representation of `Results` holding one bitstring counter.

    Its observable's uuid is drawn from the job id, not from uuid4: the same every time.
    """
    key = str(uuid.UUID(int=Random(f"bitstrings-{job_id}").getrandbits(128), version=4))
    return json.dumps(
        {
            "atom_order": list(qubits),
            "total_duration": duration,
            "tagmap": {"bitstrings": key},
            "results": {key: [dict(counter)]},
            "times": {key: [1.0]},
            "aggregation_methods": {key: BAG_UNION},
        }
    )


def generated_result(
    job: Mapping[str, Any], sequence: str | None = None, emulator: bool | None = None
) -> dict[str, Any]:
    """The result of a DONE job that stores none, one bit per qubit of its sequence's register.

    `sequence`: the job's own, else its batch's; `emulator`: whether its batch's device
    type is an emulator (None: unknown, then a job run on an emulator cluster is one: only
    emulators have slurm fields). An emulator's result also has `serialised_results`.
    Without a register to read, the result is `result_for`'s of old.
    """
    qubits = qubit_ids(job["sequence"] or sequence, job["variables"])
    if qubits is None:
        return result_for(job["id"], job["runs"])
    if emulator is None:
        emulator = job["slurm_cluster_name"] is not None
    if emulator:
        return emulator_result(job["id"], job["runs"], qubits)
    return result_for(job["id"], job["runs"], len(qubits))
