"""Turn resolution in a fixed, documented order (docs/engine.md, "Adjudication order").

``adjudicate`` below is that order; each step lives in its own module of this package:

1. statements (``statements``) · 2. diplomacy, with agreements coming into force (``orders``,
``agreements``) · 3. legal and financial · 4. border and trade · 5. security, with the consent and
red-line checks (``consent``) · 6. migration · 6b. free actions (``white_cell``) · 7. the months
(``monthly``) · 8. politics and elections (``politics``) · 9. compliance, snapbacks, leaks
(``agreements``) · 10. the three-month review (``politics``) · 11. the turn's end (``end``). Each
step's data rules run after it (``rules``).
A turn opens with the calendar windows and injects (``turn_start``); the game closes with ``finish``.
Inside a step, orders run in team order (us, mx, cn, ca) and then by lever id, so the result never
depends on the order in which commands arrived.
"""

from __future__ import annotations

from precursor.game.adjudication.agreements import activate_agreements, compliance
from precursor.game.adjudication.end import end_turn, finish
from precursor.game.adjudication.monthly import month_step
from precursor.game.adjudication.orders import all_orders, mark_played, reveal_orders, run_orders
from precursor.game.adjudication.politics import elections, review
from precursor.game.adjudication.rules import run_step
from precursor.game.adjudication.statements import statements
from precursor.game.adjudication.turn_start import begin_turn, release_inject, turn_months
from precursor.game.adjudication.white_cell import resolve_free_actions
from precursor.game.core import GameCore
from precursor.game.schema import STEPS

ORDER_STEPS = ("statements", "diplomacy", "legal", "border", "security", "migration")


def adjudicate(g: GameCore) -> None:
    st = g.state
    months = turn_months(g)  # the turn's calendar months, fixed before the month steps move the clock
    orders = all_orders(g)
    reveal_orders(g, orders)
    mark_played(g, orders)
    statements(g)  # 1
    for step in ORDER_STEPS:  # 1-6: each step's orders, then its rules
        run_orders(g, orders, step)
        if step == "diplomacy":
            activate_agreements(g)
        run_step(g, step)
    resolve_free_actions(g)  # 6b: free actions, ruled and rolled, after every order
    for _ in range(st.months_per_turn):  # 7
        month_step(g)
    run_step(g, "lag_release")
    run_step(g, "politics")  # 8
    elections(g, months)
    compliance(g)  # 9
    run_step(g, "compliance")
    if st.month_index % 3 == 0:  # 10
        review(g)
    run_step(g, "review")
    run_step(g, "injects")
    end_turn(g)  # 11


__all__ = ["ORDER_STEPS", "STEPS", "adjudicate", "begin_turn", "finish", "release_inject"]
