"""The results of DONE jobs that store none: generated from the job, the same every time."""

from __future__ import annotations

from random import Random
from typing import Any


def result_for(job_id: str, runs: int) -> dict[str, Any]:
    """The result of a DONE job that stores none: the same for the same job, every time.

    `{"counter": {bitstring: count}, "raw": [bitstring, ...]}`, `runs` samples in all, drawn
    from a few likely states of 2 to 5 atoms, as a QPU or emulator reports them.
    """
    rnd = Random(f"result-{job_id}")  # a string seed hashes the same everywhere
    atoms = rnd.randint(2, 5)
    states = [format(rnd.getrandbits(atoms), f"0{atoms}b") for _ in range(rnd.randint(2, 6))]
    weights = [rnd.random() ** 2 for _ in states]
    raw = rnd.choices(states, weights, k=runs)
    counter: dict[str, int] = {}
    for sample in raw:
        counter[sample] = counter.get(sample, 0) + 1
    return {"counter": dict(sorted(counter.items())), "raw": raw}
