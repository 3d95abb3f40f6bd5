"""Counter-based randomness: every roll is a pure function of the game seed and a label.

A stateful generator would make the game state depend on how many rolls happened before, which
breaks replay from an arbitrary event and makes forks fragile. Hashing (seed, label) instead gives
the same roll for the same situation however the log is folded, and costs about a microsecond.
"""

from __future__ import annotations

import zlib

_MASK = (1 << 64) - 1


def mix(x: int) -> int:
    """One SplitMix64 step: a cheap bijective mixer, so nearby inputs give unrelated outputs."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def roll(seed: int, label: str) -> float:
    """A uniform number in [0, 1) determined by the seed and the label alone."""
    raw = label.encode()
    h = mix((seed & _MASK) ^ (zlib.crc32(raw) << 17) ^ len(label))
    h = mix(h ^ zlib.adler32(raw))
    return (h >> 11) / float(1 << 53)


def uniform(seed: int, label: str, lo: float, hi: float) -> float:
    return lo + (hi - lo) * roll(seed, label)
