"""Standing levels in the composer's conflict check (``promises.conflicts``, session 17).

A clause kept by a level that stands calls for no order: two relief clauses on US-TARIFF, for Canada's
goods and Mexico's, both at the 0 % that stands, were read as "ask the United States for US-TARIFF at
different values ... they cannot all be kept". Such clauses take no order slot and clash only with an
order that would move their level."""

from __future__ import annotations

from typing import Any

from precursor.game.promises import Due, conflicts
from precursor.game.rulebook import default_rulebook

RB = default_rulebook()
VALUES = {"tariff.mx": 0.0, "tariff.ca": 0.0, "tariff.cn": 10.0}


def _relief(target: str, rate: float, mode: str = "impose") -> dict[str, Any]:
    return {
        "actor": "us",
        "lever": "us_tariff",
        "params": {"target": target, "rate": rate, "mode": mode},
        "start_turn": 2,
        "duration": 2,
    }


def _said(*clauses: dict[str, Any], values: dict[str, Any] | None = VALUES) -> list[str]:
    due = [Due(f"clause {i + 1}", c) for i, c in enumerate(clauses)]
    return [c.words for c in conflicts(RB, due, turn=2, limit=4, values=values)]


def test_two_standing_reliefs_do_not_clash() -> None:
    assert _said(_relief("mx", 0), _relief("ca", 0)) == []
    # without the values the caller knows, the check cannot tell, and says what it said before
    assert _said(_relief("mx", 0), _relief("ca", 0), values=None)


def test_two_orders_of_the_lever_still_clash() -> None:
    """Relief on China's goods (10 % now) to 5 % and to 0 %: two orders, one a turn, in each of the
    clauses' two turns."""
    said = _said(_relief("cn", 5), _relief("cn", 0))
    assert [w.split(":")[0] for w in said] == ["turn 2", "turn 3"], said
    assert all("only rate 0 (or lower) keeps them all" in w for w in said), said
    # a ceiling the rate already meets is kept: 25 % on Mexico's goods stands at 0 %, as does 0 %
    assert _said(_relief("mx", 0), _relief("mx", 25)) == []
    # relief on China's goods (an order) beside Mexico's standing 0 %: the order leaves Mexico's rate
    assert _said(_relief("mx", 0), _relief("cn", 0)) == []


def test_a_standing_level_takes_no_order_slot() -> None:
    acts = [
        {"actor": "us", "lever": lv, "params": {}, "start_turn": 2, "duration": 1}
        for lv in ("us_arms", "us_ind", "us_tri", "us_pen")
    ]
    assert _said(*acts, _relief("mx", 0)) == []
    assert _said(*acts, _relief("cn", 0))  # an order: five for four slots
