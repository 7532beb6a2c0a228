"""Pulser sequences as jobs carry them: their abstract representation, read and written.

The runtime never imports Pulser: the JSON is read and written with `json`, in the shape of
Pulser's abstract representation (`pulser/json/abstract_repr/schemas/sequence-schema.json`,
templated from what `Sequence.to_abstract_repr()` writes); the tests check both ways with Pulser.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from random import Random
from typing import Any

Point = tuple[float, float]
MAX_VALUES = 250_000  # JSON values a sequence may hold (25,000 atoms and more): bounds a parse
PREFIX = "q"  # qubit ids q0, q1, ...: Pulser's `prefix="q"`
MIN_SPACING = 5  # µm between neighbouring atoms, at least: what real registers keep
PULSER_VERSION = "1.9.1"  # the writer named in a sequence, unless the device names its own
AMPLITUDE_CAP = 4 * math.pi  # rad/µs: the Rabi frequency asked of a channel without a maximum
DETUNING_CAP = 40.0  # rad/µs: the detuning asked of a channel without a maximum
DURATION_CAP = 6000  # ns: the longest sequence written for a device without a maximum


def read_sequence(text: object) -> dict[str, Any] | None:
    """The JSON object a sequence's text holds; None for anything else, and never an error.

    Any text is welcome, up to the 16 MiB a job may hold, and costs little: text that cannot
    open an object, or holds more than MAX_VALUES values (each `,`, `[` or `{` may start one: 16
    MiB of `{},` would parse for 2 s into 400 MiB), is turned away before parsing; the C
    parser's nesting is bounded by the recursion limit.
    """
    if not isinstance(text, str) or not text.lstrip().startswith("{"):
        return None
    if text.count(",") + text.count("[") + text.count("{") > MAX_VALUES:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # malformed, too deep, or an integer of 4,300+ digits
        return None
    return value if isinstance(value, dict) else None


def register_of(sequence: Mapping[str, Any]) -> tuple[list[str], bool] | None:
    """The register's qubit ids in order, and whether it is mappable; None when it has none.

    A `Register` lists atoms `{"name", "x", "y"(, "z")}`; a `MappableRegister` lists qubits
    `{"qid"(, "default_trap")}` whose traps each job picks in its variables.
    """
    atoms = sequence.get("register")
    if not isinstance(atoms, list) or not atoms or not isinstance(atoms[0], dict):
        return None
    key = "qid" if "qid" in atoms[0] else "name"
    ids = [atom.get(key) if isinstance(atom, dict) else None for atom in atoms]
    if not all(isinstance(qubit, str) for qubit in ids) or len(set(ids)) != len(ids):
        return None
    return ids, key == "qid"


def qubit_ids(sequence: str | None, variables: Mapping[str, Any] | None) -> list[str] | None:
    """The ids of the qubits a job's result has a bit for, in bit order; None when unknown.

    For a mappable register, the job's `variables["qubits"]` (qubit id to trap, or a list)
    places the first that many declared qubits, as `MappableRegister.build_register` requires;
    without it, every declared qubit, as the SDK's `_query_job_progress` reads the atom order
    (`qubit_ids[slice(len(variables["qubits"]))]`). None for text that is not a sequence, and
    for `qubits` that place none or are neither a mapping nor a list.
    """
    parsed = read_sequence(sequence)
    register = None if parsed is None else register_of(parsed)
    if register is None:
        return None
    ids, mappable = register
    placed = variables.get("qubits") if mappable and isinstance(variables, Mapping) else None
    if placed is None:
        return ids
    if not isinstance(placed, dict | list):
        return None
    return ids[: len(placed)] or None


def abstract_sequence(rnd: Random, device_spec: Mapping[str, Any], atoms: int) -> str:
    """A realistic sequence of `atoms` atoms on a device, as Pulser writes it; the same per `rnd`.

    `device_spec` is the device's abstract representation, embedded whole as Pulser embeds it.
    The register q0, q1, ... fills a square-ish lattice row by row, at least 5 µm apart, on a
    square lattice layout when the device requires a layout; on a device that accepts no new
    layout, it takes the traps nearest the centre of its first calibrated layout that can hold
    it. One `rydberg_global` channel plays a π pulse or an adiabatic sweep (rise, then sweep),
    within the channel's and the device's limits; measured in ground-rydberg.
    ValueError when the device cannot hold the register, or has no global Rydberg channel.
    """
    channel = global_channel(device_spec)
    register, layout = geometry(rnd, device_spec, atoms)
    sequence: dict[str, Any] = {
        "version": "1",
        "name": "pulser-exported",
        "register": [{"name": f"{PREFIX}{i}", "x": x, "y": y} for i, (x, y) in enumerate(register)],
        "channels": {"rydberg_global": channel["id"]},
        "variables": {},
        "operations": pulses(rnd, channel, device_spec.get("max_sequence_duration")),
        "measurement": "ground-rydberg",
        "pulser_version": device_spec.get("pulser_version", PULSER_VERSION),
        "device": dict(device_spec),
    }
    if layout is not None:
        sequence["layout"] = layout
    return json.dumps(sequence)


def max_atoms(device_spec: Mapping[str, Any], cap: int = 100) -> int:
    """The largest register `abstract_sequence` places on the device, at most `cap` (0: none)."""
    for atoms in range(min(cap, device_spec.get("max_atom_num") or cap), 0, -1):
        try:
            geometry(Random(0), device_spec, atoms)  # whether it fits does not hang on the draw
        except ValueError:
            continue
        return atoms
    return 0


def global_channel(device_spec: Mapping[str, Any]) -> Mapping[str, Any]:
    """The device's global ground-rydberg channel, `rydberg_global` when it has that one."""
    found = [
        channel
        for channel in device_spec.get("channels") or ()
        if channel.get("basis") == "ground-rydberg" and channel.get("addressing") == "Global"
    ]
    if not found:
        raise ValueError(f"Device {device_spec.get('name')!r} has no global Rydberg channel.")
    return next((c for c in found if c.get("id") == "rydberg_global"), found[0])


def lattice(rows: int, columns: int, spacing: int) -> list[Point]:
    """A square lattice row by row, centred as Pulser's `patterns.square_rect` centres it."""
    left, bottom = math.ceil(columns / 2) - 1, math.ceil(rows / 2) - 1
    return [
        (float((column - left) * spacing), float((row - bottom) * spacing))
        for row in range(rows)
        for column in range(columns)
    ]


def geometry(
    rnd: Random, device_spec: Mapping[str, Any], atoms: int
) -> tuple[list[Point], dict[str, Any] | None]:
    """Where the atoms sit, and the layout (its abstract representation) they sit in, if any."""
    if not 0 < atoms <= (device_spec.get("max_atom_num") or atoms):
        raise ValueError(f"Device {device_spec.get('name')!r} cannot hold {atoms} atoms.")
    virtual = device_spec.get("is_virtual", False)
    if not virtual and not device_spec.get("accepts_new_layouts", True):
        return on_calibrated_layout(device_spec, atoms)
    columns = math.ceil(math.sqrt(atoms))
    rows = math.ceil(atoms / columns)
    needs_layout = device_spec.get("requires_layout", not virtual)  # Pulser's default: real do
    traps = layout_shape(device_spec, atoms, rows, columns) if needs_layout else (rows, columns)
    lowest = max(MIN_SPACING, math.ceil(device_spec.get("min_atom_distance") or 0))
    reach = device_spec.get("max_radial_distance")
    spacings = [
        spacing
        for spacing in range(lowest, lowest + 3)
        if reach is None or max(math.hypot(*p) for p in lattice(*traps, spacing)) <= reach
    ]
    if not spacings:
        raise ValueError(f"Device {device_spec.get('name')!r} cannot hold {atoms} atoms.")
    spacing = rnd.choice(spacings)
    register = lattice(rows, columns, spacing)[:atoms]
    if not needs_layout:
        return register, None
    slug = f"SquareLatticeLayout({traps[0]}x{traps[1]}, {float(spacing)}µm)"
    return register, {"coordinates": sorted(lattice(*traps, spacing)), "slug": slug}


def layout_shape(
    device_spec: Mapping[str, Any], atoms: int, rows: int, columns: int
) -> tuple[int, int]:
    """The rows and columns of the smallest square-ish lattice layout the atoms may fill."""
    filling = device_spec.get("max_layout_filling", 0.5)
    fewest, most = device_spec.get("min_layout_traps", 1), device_spec.get("max_layout_traps")
    while int(rows * columns * filling) < atoms or rows * columns < fewest:  # Pulser's own sum
        rows, columns = (rows + 1, columns) if rows < columns else (rows, columns + 1)
    lowest_filling = device_spec.get("min_layout_filling", 0.0)
    if (most is not None and rows * columns > most) or (
        rows * columns > fewest and atoms < math.ceil(rows * columns * lowest_filling)
    ):
        raise ValueError(f"Device {device_spec.get('name')!r} has no layout for {atoms} atoms.")
    return rows, columns


def on_calibrated_layout(
    device_spec: Mapping[str, Any], atoms: int
) -> tuple[list[Point], dict[str, Any]]:
    """The traps nearest the centre of the first calibrated layout that can hold the atoms."""
    filling, name = device_spec.get("max_layout_filling", 0.5), device_spec.get("name")
    for layout in device_spec.get("pre_calibrated_layouts") or ():
        traps = [(float(t[0]), float(t[1])) for t in layout.get("coordinates", ()) if len(t) == 2]
        if traps and int(len(traps) * filling) >= atoms:
            x0, y0 = sum(t[0] for t in traps) / len(traps), sum(t[1] for t in traps) / len(traps)
            nearest = sorted(traps, key=lambda t: (round(math.hypot(t[0] - x0, t[1] - y0), 6), t))
            return sorted(nearest[:atoms], key=lambda t: (t[1], t[0])), dict(layout)  # row by row
    raise ValueError(f"Device {name!r} has no calibrated layout for {atoms} atoms.")


def pulses(rnd: Random, channel: Mapping[str, Any], longest: int | None) -> list[dict[str, Any]]:
    """A π pulse, or an adiabatic sweep's rise and sweep, within the channel's limits."""
    budget = int(0.7 * (longest or DURATION_CAP))  # room for the delays Pulser adds
    top = min(channel.get("max_amp") or AMPLITUDE_CAP, AMPLITUDE_CAP)
    least = channel.get("min_avg_amp") or 0.0  # of any pulse whose amplitude is not all zero
    if rnd.random() < 0.4:
        area = rnd.choice((math.pi / 2, math.pi))
        shortest = math.ceil(area / (0.42 * 0.8 * top) * 1000)  # Blackman peak: area / 0.42 T
        longest_ = int(area / least * 1000) if least else budget
        span = duration(rnd, channel, shortest, min(shortest + 1500, budget, longest_))
        amplitude = {"kind": "blackman", "duration": span, "area": area}
        return [pulse(amplitude, {"kind": "constant", "duration": span, "value": 0.0})]
    omega = floor3(min(max(rnd.uniform(0.4, 0.8) * top, 2.2 * least), top))
    reach = 0.9 * (channel.get("max_abs_detuning") or DETUNING_CAP)
    delta = floor3(min(rnd.uniform(1.5, 3.0) * omega, reach))
    rise = duration(rnd, channel, 200, 800)
    sweep = duration(rnd, channel, min(1000, budget - rise), budget - rise)
    return [
        pulse({"kind": "ramp", "duration": rise, "start": 0.0, "stop": omega},
              {"kind": "constant", "duration": rise, "value": -delta}),
        pulse({"kind": "constant", "duration": sweep, "value": omega},
              {"kind": "ramp", "duration": sweep, "start": -delta, "stop": delta}),
    ]  # fmt: skip


def floor3(value: float) -> float:
    """A value to three decimals, rounded down: within a limit when `value` is."""
    return math.floor(value * 1000) / 1000


def duration(rnd: Random, channel: Mapping[str, Any], low: int, high: int) -> int:
    """A duration in `low..high` ns that the channel takes: a multiple of its clock period."""
    step = math.lcm(int(channel.get("clock_period") or 1), 4)
    low = max(low, channel.get("min_duration") or 0)
    high = min(high, channel.get("max_duration") or high)
    low = math.ceil(low / step) * step
    return low + step * rnd.randint(0, max(high - low, 0) // step)


def pulse(amplitude: dict[str, Any], detuning: dict[str, Any]) -> dict[str, Any]:
    """A pulse on the global channel, in the order of Pulser's operation `pulse`."""
    return {
        "op": "pulse",
        "channel": "rydberg_global",
        "protocol": "min-delay",
        "amplitude": amplitude,
        "detuning": detuning,
        "phase": 0.0,
        "post_phase_shift": 0.0,
    }
