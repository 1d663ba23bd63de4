"""A project proposal (节能审查申报): the one schema the YAML file, the form and the API take.

Every field is checked and every problem reported at once, naming the file and the field
(`ProposalError.errors`), so a bad proposal never reaches the review half-read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carbonpeak.accounting.engine.carriers import CARRIERS
from carbonpeak.accounting.engine.units import UNITS

KINDS = ("industrial", "building", "data_centre", "other")
RENEWABLE_CARRIERS = ("pv_electricity", "wind_electricity")
"""Own renewable supply (自发自用); traded green power is `green_power_kwh` (绿电交易)."""


@dataclass(frozen=True)
class FieldError:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class ProposalError(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(map(str, errors)))


@dataclass(frozen=True)
class Quantity:
    carrier: str
    quantity: float
    unit: str


@dataclass(frozen=True)
class Proposal:
    name: str
    town: str
    sector: str
    kind: str
    start_year: int
    added_value_10k_yuan: float
    ramp_up_years: int = 1
    energy: tuple[Quantity, ...] = ()
    feedstock: tuple[Quantity, ...] = ()
    own_renewables: tuple[Quantity, ...] = ()
    green_power_kwh: float = 0.0
    floor_area_m2: float | None = None
    it_capacity_kw: float | None = None
    design_pue: float | None = None
    ultra_low_energy: bool = False
    exception: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def ramp_share(self, year: int) -> float:
        """Share of full operation in `year`: linear over the ramp-up years from the start year."""
        if year < self.start_year:
            return 0.0
        return min(1.0, (year - self.start_year + 1) / self.ramp_up_years)

    def to_dict(self) -> dict[str, Any]:
        q = lambda items: [{"carrier": i.carrier, "quantity": i.quantity, "unit": i.unit} for i in items]  # noqa: E731
        return {"name": self.name, "town": self.town, "sector": self.sector, "kind": self.kind,
                "start_year": self.start_year, "ramp_up_years": self.ramp_up_years,
                "added_value_10k_yuan": self.added_value_10k_yuan, "energy": q(self.energy),
                "feedstock": q(self.feedstock), "own_renewables": q(self.own_renewables),
                "green_power_kwh": self.green_power_kwh, "floor_area_m2": self.floor_area_m2,
                "it_capacity_kw": self.it_capacity_kw, "design_pue": self.design_pue,
                "ultra_low_energy": self.ultra_low_energy, "exception": self.exception}


class _Reader:
    """Reads fields of one proposal mapping, collecting every error instead of stopping at the first."""

    def __init__(self, data: Mapping[str, Any], file: str) -> None:
        self.data, self.file, self.errors = data, file, []

    def fail(self, name: str, message: str) -> None:
        self.errors.append(FieldError(self.file, name, message))

    def text(self, name: str, required: bool = True, choices: Any = None) -> str | None:
        value = self.data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(name, "required")
            return None
        if not isinstance(value, str):
            self.fail(name, f"expected text, got {value!r}")
            return None
        if choices is not None and value not in choices:
            self.fail(name, f"{value!r} is not one of {', '.join(choices)}")
            return None
        return value.strip()

    def number(self, name: str, required: bool = True, minimum: float = 0.0, strict: bool = False,
               integer: bool = False) -> float | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.fail(name, "required")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value \
                or (integer and float(value) != int(value)):
            self.fail(name, f"expected {'a whole number' if integer else 'a number'}, got {value!r}")
            return None
        if value < minimum or (strict and value == minimum):
            self.fail(name, f"must be {'>' if strict else '>='} {minimum:g}, got {value!r}")
            return None
        return int(value) if integer else float(value)

    def quantities(self, name: str, allowed: Any = None) -> tuple[Quantity, ...]:
        rows = self.data.get(name) or []
        if not isinstance(rows, list):
            self.fail(name, "expected a list of {carrier, quantity, unit}")
            return ()
        out = []
        for i, row in enumerate(rows):
            where = f"{name}[{i}]"
            if not isinstance(row, Mapping):
                self.fail(where, "expected {carrier, quantity, unit}")
                continue
            sub = _Reader(row, self.file)
            carrier = sub.text("carrier", choices=allowed or list(CARRIERS))
            qty = sub.number("quantity")
            unit = sub.text("unit", choices=list(UNITS))
            if carrier and unit and UNITS[unit].dimension not in (CARRIERS[carrier].dimension, "tce"):
                sub.fail("unit", f"{unit!r} does not measure {carrier}; accepted: "
                                 f"{', '.join(u for u, x in UNITS.items() if x.dimension == CARRIERS[carrier].dimension)}")
            self.errors.extend(FieldError(e.file, f"{where}.{e.field}", e.message) for e in sub.errors)
            if not sub.errors:
                out.append(Quantity(carrier, qty, unit))
        return tuple(out)


FIELDS = ("name", "town", "sector", "kind", "start_year", "ramp_up_years", "added_value_10k_yuan", "energy",
          "feedstock", "own_renewables", "green_power_kwh", "floor_area_m2", "it_capacity_kw", "design_pue",
          "ultra_low_energy", "exception")


def parse_proposal(data: Any, sectors: Mapping[str, Any], exceptions: Mapping[str, str],
                   file: str = "proposal") -> Proposal:
    """A validated `Proposal` from a mapping, or `ProposalError` listing every bad field."""
    if not isinstance(data, Mapping):
        raise ProposalError([FieldError(file, "(document)", "expected a mapping of proposal fields")])
    r = _Reader(data, file)
    for key in data:
        if key not in FIELDS:
            r.fail(str(key), f"unknown field; accepted: {', '.join(FIELDS)}")
    kind = r.text("kind", choices=KINDS)
    values = {
        "name": r.text("name"), "town": r.text("town"), "sector": r.text("sector", choices=list(sectors)),
        "kind": kind, "start_year": r.number("start_year", minimum=2000, integer=True),
        "ramp_up_years": r.number("ramp_up_years", required=False, minimum=1, integer=True) or 1,
        "added_value_10k_yuan": r.number("added_value_10k_yuan"),
        "energy": r.quantities("energy"), "feedstock": r.quantities("feedstock"),
        "own_renewables": r.quantities("own_renewables", allowed=RENEWABLE_CARRIERS),
        "green_power_kwh": r.number("green_power_kwh", required=False) or 0.0,
        "floor_area_m2": r.number("floor_area_m2", required=False),
        "it_capacity_kw": r.number("it_capacity_kw", required=kind == "data_centre", strict=True),
        "design_pue": r.number("design_pue", required=kind == "data_centre", minimum=1.0),
        "exception": r.text("exception", required=False, choices=list(exceptions)),
    }
    ule = data.get("ultra_low_energy", False)
    if not isinstance(ule, bool):
        r.fail("ultra_low_energy", f"expected true or false, got {ule!r}")
    values["ultra_low_energy"] = ule is True
    if r.errors:
        raise ProposalError(r.errors)
    return Proposal(**values)


def load_proposal(path: str | Path, sectors: Mapping[str, Any], exceptions: Mapping[str, str]) -> Proposal:
    """Read and validate a proposal YAML file."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProposalError([FieldError(str(path), "(file)", f"cannot read: {exc}")]) from exc
    return parse_proposal(data, sectors, exceptions, file=path.name)
