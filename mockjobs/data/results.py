"""The results of DONE jobs that store none: generated from the job, the same every time."""

from __future__ import annotations

from random import Random
from typing import Any

MAX_SAMPLES = 100_000  # runs beyond this get counts only: a list of samples would be unbounded


def result_for(job_id: str, runs: int) -> dict[str, Any]:
    """The result of a DONE job that stores none: the same for the same job, every time.

    `{"counter": {bitstring: count}, "raw": [bitstring, ...]}`, `runs` samples in all, drawn
    from a few likely states of 2 to 5 atoms, as a QPU or emulator reports them. Beyond
    MAX_SAMPLES runs, `raw` is empty and the counts still sum to `runs`.
    """
    rnd = Random(f"result-{job_id}")  # a string seed hashes the same everywhere
    atoms = rnd.randint(2, 5)
    states = [format(rnd.getrandbits(atoms), f"0{atoms}b") for _ in range(rnd.randint(2, 6))]
    weights = [rnd.random() ** 2 for _ in states]
    if runs > MAX_SAMPLES:  # counts in proportion to the weights, and no list of samples
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
