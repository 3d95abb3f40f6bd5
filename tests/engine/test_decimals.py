"""``round4`` must agree with ``round(x, 4)`` bit for bit: every stored value goes through it, and a last-bit
difference would change event logs and break replay of games recorded before it existed."""

from __future__ import annotations

import math
import struct

from hypothesis import example, given, settings
from hypothesis import strategies as st

from precursor.game.decimals import round4


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


@settings(max_examples=3000, deadline=None)
@given(st.floats(allow_nan=False))
@example(-0.0)
@example(0.0)
@example(-0.00001)  # rounds to -0.0, as the builtin does
@example(0.00005)  # a decimal tie that is not a binary tie
@example(1.00005)
@example(-2.44445)
@example(214748.3647)  # at the edge of the fast path
@example(1e300)
@example(math.inf)
@example(-math.inf)
def test_round4_is_the_builtin(x: float) -> None:
    assert bits(round4(x)) == bits(round(x, 4))


@settings(max_examples=2000, deadline=None)
@given(st.integers(min_value=-(10**9), max_value=10**9), st.sampled_from([0.5, 0.49999, 0.50001, 0.25, 0.0]))
def test_round4_near_half_ten_thousandths(k: int, frac: float) -> None:
    """Values around the ties, where a shortcut through ``x * 10000`` would most likely go wrong."""
    x = (k + frac) / 10000.0
    assert bits(round4(x)) == bits(round(x, 4))


def test_round4_nan() -> None:
    assert math.isnan(round4(math.nan))


@settings(max_examples=2000, deadline=None)
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=1, max_value=200))
def test_a_running_mean_of_an_unchanged_value_is_that_value(v: float, m: int) -> None:
    """The fold skips updating mean.<id> when the new value equals the mean (state._turn_end); this is the
    arithmetic it stands in for, for any stored (four-decimal) nonzero value."""
    v = round4(v)
    if v:
        assert bits(round4((v * m + v) / (m + 1))) == bits(v)
