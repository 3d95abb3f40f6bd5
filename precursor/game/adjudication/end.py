"""Step 11, the end of a turn (values, objectives), and the end of the game (epilogue, final score)."""

from __future__ import annotations

from typing import Any

from precursor.game import scoring
from precursor.game.adjudication.monthly import month_step
from precursor.game.core import GameCore
from precursor.game.schema import TEAMS


def end_turn(g: GameCore) -> None:
    st, env = g.state, g.state.env
    values = g.rb.num_values(env)
    changes: dict[str, Any] = {}
    # reciprocity window (CS3)
    if env["flag.cn_pending_reciprocity"] > 0:
        if env["flag.us_reciprocated"]:
            changes["flag.cn_credited"] = env["flag.cn_credited"] + 1
            changes["flag.cn_pending_reciprocity"] = 0.0
        else:
            left = env["flag.cn_pending_reciprocity"] - 1
            changes["flag.cn_pending_reciprocity"] = float(left)
            if left <= 0:
                changes["cn.ctrl"] = g.new_value(
                    "cn.ctrl", "add", g.param("cs3.reciprocity", "unreciprocated_ctrl", -5), changes
                )
    objectives = scoring.check_objectives(g, final=False)
    played = {
        t: sorted(o["lever"] for k, sub in st.orders.items() if k.startswith(t + "/") for o in sub["orders"])
        for t in TEAMS
    }
    g.emit(
        {
            "type": "turn_end",
            "turn": st.turn,
            "values": values,
            "changes": changes,
            "played": played,
            "objectives": objectives,
            "vis": "facilitator",
        }
    )


def finish(g: GameCore) -> None:
    """Epilogue (rule F4): the model runs on with orders frozen, then the final score."""
    st = g.state
    epi = g.sc.model.epilogue_months
    if epi:
        g.emit({"type": "phase", "turn": st.turn, "phase": "epilogue", "vis": "all"})
        for _ in range(epi):
            month_step(g)
    objectives = scoring.check_objectives(g, final=True)
    g.emit(
        {
            "type": "turn_end",
            "turn": st.turn,
            "values": {},
            "changes": {},
            "played": {},
            "objectives": objectives,
            "epilogue": True,
            "vis": "facilitator",
        }
    )
    g.emit({"type": "score", "scores": scoring.scores(g, final=True), "final": True, "vis": "all"})
    g.emit({"type": "game_over", "turn": st.turn, "vis": "all"})
