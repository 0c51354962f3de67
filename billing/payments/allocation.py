"""Splitting an amount of minor units over several buckets without losing or inventing a cent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Allocation", "fill_in_order"]


@dataclass(frozen=True, slots=True)
class Allocation:
    """``parts[i]`` goes to bucket ``i``; ``rest`` did not fit anywhere. ``sum(parts) + rest == total``."""

    parts: tuple[int, ...]
    rest: int


def fill_in_order(total: int, capacities: Sequence[int]) -> Allocation:
    """Pour ``total`` into the buckets in the order given, each up to its capacity (greedy).

    Used to refund a balance to card payments newest first: each payment takes as much as it has
    left unrefunded, and what no card can take back is the ``rest`` (refunded by check).
    """
    if total < 0:
        raise ValueError("the total must not be negative")
    if any(c < 0 for c in capacities):
        raise ValueError("capacities must not be negative")
    parts = []
    left = total
    for capacity in capacities:
        part = min(capacity, left)
        parts.append(part)
        left -= part
    return Allocation(parts=tuple(parts), rest=left)
