"""以奖代拨: split the reward pool the office enters among the units that qualify, exact to the fen (分).

Rules (the rubric's `reward.rule`): ``equal`` — the same amount each; ``score`` — in proportion to the score;
``score_above_threshold`` — in proportion to the points above `reward.threshold`. Amounts are counted in fen
and rounded with the largest-remainder method, so they add up to the pool exactly.
"""

from __future__ import annotations

import numpy as np

from .allocation import AllocationError, largest_remainder


def split_reward(pool_fen: int, scores: np.ndarray, qualifies: np.ndarray, rule: str,
                 threshold: float = 0.0) -> np.ndarray:
    """Fen per unit (int64, 0 for units that do not qualify); the amounts add up to `pool_fen` exactly."""
    if pool_fen < 0 or int(pool_fen) != pool_fen:
        raise AllocationError(f"the reward pool must be a whole number of fen >= 0, got {pool_fen!r}")
    scores = np.asarray(scores, dtype=np.float64)
    qualifies = np.asarray(qualifies, dtype=bool)
    if rule == "equal":
        weights = qualifies.astype(np.float64)
    elif rule == "score":
        weights = np.where(qualifies, scores, 0.0)
    elif rule == "score_above_threshold":
        weights = np.where(qualifies, np.maximum(scores - threshold, 0.0), 0.0)
    else:
        raise AllocationError(f"unknown reward rule {rule!r}")
    out = np.zeros(len(scores), dtype=np.int64)
    if pool_fen == 0 or weights.sum() <= 0:
        return out
    return largest_remainder(weights, float(pool_fen), 0)
