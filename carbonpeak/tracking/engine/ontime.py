"""On-time reporting rates (按时报送率): pure arithmetic over counts, no ORM."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OnTimeRate:
    unit_id: int
    owed: int
    """Items the unit owed over the periods past their due date (indicator values and task reports)."""
    on_time: int
    """Of those, items submitted by the due date (and not since returned)."""

    @property
    def rate(self) -> float:
        return self.on_time / self.owed if self.owed else 0.0


def rank(owed: dict[int, int], on_time: dict[int, int]) -> list[OnTimeRate]:
    """Units by on-time rate, best first; ties by more items owed (a full record beats a thin one), then unit id.

    Units owing nothing are left out; an on-time count above what is owed is an error in the caller's data."""
    rates = []
    for unit_id, n in owed.items():
        if n <= 0:
            continue
        done = on_time.get(unit_id, 0)
        if done > n:
            raise ValueError(f"unit {unit_id}: {done} items on time but only {n} owed")
        rates.append(OnTimeRate(unit_id, n, done))
    return sorted(rates, key=lambda r: (-r.rate, -r.owed, r.unit_id))
