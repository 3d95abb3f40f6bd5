"""The composer's "ok" means the deal can be kept as things stand (session 14's students): it said "ok:
the server will take it" for a Mexico owing more capital than it had, for a partner's clause the
proposal in full showed could not be kept, and for a step China declines outside a leaders' summit
("for leaders to agree when they meet"), which the student learnt only from the refusal."""

from __future__ import annotations

import pytest
from test_tui_support import (
    add_clause,
    china_bot_at_negotiation,
    china_bot_tabled,
    new_game,
    open_composer,
    screen_text,
    seat_app,
    static_text,
    wait_until,
)
from textual.widgets import Checkbox, Select

from precursor.client import GameClient


def _check(app: object) -> str:
    return " ".join(static_text(app, "#c-check").split())  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_capital_owed_under_the_deal_and_the_agreements_in_force_is_said_before_sending(
    url: str, size: tuple[int, int]
) -> None:
    """Mexico (10 PC) owes MX-EXTRADITE (3 PC) and MX-PRESENCE (4 PC) this turn under an agreement in
    force; a new deal adding MX-PORT and MX-ME at level 100 (2 PC each) comes to 11 PC. Alone, those two
    clauses are affordable: only the sum with the agreement shows the break."""
    g, tokens = await new_game(url, teams=("mx", "us"), scenario="tariffs-and-terror")
    owed = [
        {"actor": "mx", "lever": "mx_extradite", "params": {"batches": 2}, "duration": 1},
        {"actor": "mx", "lever": "mx_presence", "params": {"level": 3}, "duration": 1},
        {"actor": "us", "lever": "us_arms", "params": {}, "duration": 1},
    ]
    async with GameClient(url, g.game_id, tokens["us"]) as us, GameClient(url, g.game_id, tokens["mx"]) as mx:
        await us.send({"type": "propose", "parties": ["us", "mx"], "clauses": owed})
        await mx.send({"type": "respond", "proposal": "T1-US-1", "action": "accept"})
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=size) as pilot:
        cs = await open_composer(pilot)
        await wait_until(
            pilot, lambda: any(a.get("status") == "signed" for a in cs.model.agreements.values())
        )
        cs.query_one("#party-us", Checkbox).value = True
        await add_clause(pilot, cs, "mx", "mx_port", intensity="200")
        await add_clause(pilot, cs, "mx", "mx_me", level="100")
        await add_clause(pilot, cs, "us", "us_arms")
        assert len(cs.clauses) == 3
        said = _check(app)
        assert not said.startswith("ok"), said
        assert said.startswith("! the server would take it (3 clause(s)), but as things stand:"), said
        assert "Mexico would owe 11 PC of orders in turn 1" in said, said
        assert "this deal's clauses 4 PC and the agreements in force (A1-US-1) 7 PC" in said, said
        assert "has 10 PC: a clause would break" in said, said
        # the whole line is on screen, its end (what ctrl+s does) too, at 80x24 as well
        box = cs.query_one("#c-check").region
        rows = screen_text(app).splitlines()[box.y : box.bottom]
        shown = " ".join(" ".join(row[box.x : box.right] for row in rows).split())
        assert "has 10 PC: a clause would break" in shown, shown
        # US-ARMS is in A1-US-1 too: one order keeps both, said before what ctrl+s does
        assert shown.endswith("one order of it keeps both — ctrl+s sends it anyway"), shown


async def test_a_partners_clause_it_cannot_keep_is_not_ok(url: str) -> None:
    """Mexico asks the United States for three turns of one more level of its demand programme, which
    tops out before the third: the proposal in full says the US cannot keep it, the composer said
    "ok" (it checked the proposer's own clauses only)."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        cs = await open_composer(pilot)
        cs.query_one("#party-us", Checkbox).value = True
        await pilot.pause()
        cs.query_one("#c-duration", Select).value = 3
        await pilot.pause()
        await add_clause(pilot, cs, "us", "us_demand", levels="1")
        await add_clause(pilot, cs, "mx", "mx_trace")
        said = _check(app)
        assert said.startswith("! the server would take it (2 clause(s)), but as things stand: clause 1"), (
            said
        )
        assert "US-DEMAND" in said and "highest level" in said, said


async def test_a_bot_partners_stated_line_is_said_before_sending(url: str) -> None:
    """China's deny-and-deflect bot declines its own steps (CN-KYC among them) outside a summit turn,
    "for leaders to agree when they meet". The composer now says so, in China's words, before the
    proposal goes; with the summit's step left out it is ok again."""
    g, tokens = await china_bot_at_negotiation(url)
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        cs = await open_composer(pilot)
        await wait_until(pilot, lambda: china_bot_tabled(cs.model), what="a proposal of China's bot")
        cs.query_one("#party-cn", Checkbox).value = True
        await add_clause(pilot, cs, "cn", "cn_kyc")
        await add_clause(pilot, cs, "mx", "mx_xi")
        cs.query_one("#c-framing", Select).value = "china_initiative"
        await pilot.pause()
        said = _check(app)
        assert said.startswith("! the server would take it (2 clause(s)), but as things stand:"), said
        assert "China has said it declines this: “Steps of this kind are for leaders to agree" in said, said
        # which clause the line is about, and what it reads (student c21 swapped CN-ENFORCE for CN-PEN
        # and met the same words; d21 did not know a summit window opens the door)
        assert "” (about clause 1 (CN-KYC) — it reads, as things stand: " in said, said
        assert "A leader summit is open this turn: no" in said, said


async def test_more_orders_than_a_turn_allows_is_not_ok(url: str) -> None:
    """Five different Mexican orders in one turn, where a team gives at most four: a clause breaks
    whatever Mexico orders, so the check line is no longer "ok … — but"."""
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(120, 40)) as pilot:
        cs = await open_composer(pilot)
        cs.query_one("#party-us", Checkbox).value = True
        for lever in ("mx_trace", "mx_deleg", "mx_prosecute", "mx_plan_2", "mx_pr"):
            await add_clause(pilot, cs, "mx", lever)
        await add_clause(pilot, cs, "us", "us_arms")
        assert len(cs.clauses) == 6
        said = _check(app)
        assert said.startswith("! the server would take it (6 clause(s)), but as things stand:"), said
