"""Session 22's students, on what the client says (words22)."""

from __future__ import annotations

from test_tui_support import advance_to, close_cards, log_lines, new_game, seat_app, until_online, wait_until

from precursor.client import GameClient


async def test_a_delayed_effect_is_not_listed_again_under_other_changes(url: str) -> None:
    """Defect 4: "[delayed effect] CN-DIRECTIVE … raises trust between the US and China by 3" was followed
    by "[other changes] … moved for reasons not shown to you: Trust between the US and China 18.0 → 21.0":
    the move the line above explains. China's CN-DENY in turn 2 shows trust on a card before it lands."""
    g, tokens = await new_game(url, teams=("cn", "us"), scenario="red-line")
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(160, 50)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("6")
        await wait_until(pilot, lambda: gs._results_waiting is None, what="the backlog")
        fac, cn = GameClient(url, g.game_id, g.facilitator_token), GameClient(url, g.game_id, tokens["cn"])
        async with fac, cn:
            await advance_to(fac, "orders")
            await cn.send({"type": "submit_orders", "orders": [{"lever": "cn_directive"}]})
            await advance_to(fac, "orders", turn=2)
            await cn.send({"type": "submit_orders", "orders": [{"lever": "cn_deny"}]})
            await advance_to(fac, "results", turn=2)
            await advance_to(fac, "briefing", turn=3)
        await wait_until(pilot, lambda: "══ turn 3 ══" in "\n".join(log_lines(gs.results)), what="turn 3")
        text = " ".join("\n".join(log_lines(gs.results)).split())
        assert "[delayed effect] CN-DIRECTIVE, ordered in turn 1, takes effect" in text, text
        assert "Trust between the US and China 20.0 → 18.0" in text, text  # CN-DENY's card, before it lands
        other = text[text.find("[other changes]") :] if "[other changes]" in text else ""
        assert "Trust between the US and China" not in other, other
        assert "China's international reputation on drugs" not in other, other
