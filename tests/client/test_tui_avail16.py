"""A lever whose condition already fails is out before the orders phase (session 15's student B): China's
CN-REPLY-MX ("Mexico has not written to Beijing") and CN-RETALIATE ("there are no US sanctions or tariffs
on Chinese firms") showed "1 PC / lag 2m" through the briefing and the negotiation, ``l`` ticked them
again, the composer said "ok" to a deal promising one, and the orders phase then unticked them. The
facts were the same at the start of the turn."""

from __future__ import annotations

from test_tui_support import (
    commit_as,
    new_game,
    open_composer,
    open_orders,
    seat_app,
    static_text,
    wait_until,
)
from textual.widgets import Checkbox, Select

from client_tui.panes.orders import OrdersPane

REPLY = "Mexico has not written to Beijing, so there is nothing to answer"


def _row(sl: object, lid: str) -> tuple[str, bool]:
    for i in range(sl.option_count):  # type: ignore[attr-defined]
        option = sl.get_option_at_index(i)  # type: ignore[attr-defined]
        if option.value == lid:
            return str(option.prompt), bool(option.disabled)
    raise AssertionError(f"no row for {lid}")


async def test_a_lever_whose_condition_fails_is_out_in_the_briefing_and_l_leaves_it(url: str) -> None:
    g, tokens = await new_game(url, teams=("cn",), scenario="red-line")
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(160, 40)) as pilot:
        gs, sl = await open_orders(pilot)
        assert gs.model.phase == "briefing"
        label, disabled = _row(sl, "cn_reply_mx")
        assert disabled and " out " in f"{label} ", label
        assert "1 PC" not in label and "Mexico has not written to Beijing" in label, label
        label, disabled = _row(sl, "cn_retaliate")
        assert disabled and "there are no US sanctions" in label, label
        pen, pen_disabled = _row(sl, "cn_pen")  # one whose condition holds keeps its price
        assert not pen_disabled and "PC" in pen and " out " not in pen, pen
        # the highlighted row's detail says why
        sl.highlighted = next(
            i for i in range(sl.option_count) if sl.get_option_at_index(i).value == "cn_reply_mx"
        )
        await pilot.pause()
        assert f"cannot be ordered now: CN-REPLY-MX: {REPLY}" in static_text(app, "#order-detail")
        # last turn's orders ticked again (l): the out lever is said, not ticked
        pane = gs.query_one(OrdersPane)
        pane._offer = ["cn_reply_mx", "cn_pen"]
        sl.focus()
        await pilot.press("l")
        await wait_until(pilot, lambda: "ticked again" in static_text(app, "#notice"), what="l's notice")
        said = " ".join(static_text(app, "#notice").split())
        assert "ticked again: CN-PEN" in said and "not available now: CN-REPLY-MX" in said, said
        assert pane.chosen() == ["cn_pen"]


async def test_the_composer_says_a_clause_on_an_out_lever_cannot_be_kept_now(url: str) -> None:
    g, tokens = await new_game(url, teams=("cn",), scenario="red-line")
    app = seat_app(url, g, tokens["cn"])
    async with app.run_test(size=(160, 50)) as pilot:
        cs = await open_composer(pilot)
        assert cs.model.phase == "briefing"
        cs.query_one("#party-mx", Checkbox).value = True
        await pilot.pause()
        await commit_as(pilot, cs, "cn")
        cs.query_one("#c-lever", Select).value = "cn_reply_mx"
        await wait_until(pilot, lambda: cs.form.lever is not None and cs.form.lever.id == "cn_reply_mx")
        await pilot.pause()
        answer = cs.form._fields["answer"]
        assert isinstance(answer, Select)
        answer.value = "mou"
        await pilot.pause()
        await pilot.press("ctrl+a")
        assert len(cs.clauses) == 1
        cs.query_one("#c-framing", Select).value = "reciprocal"
        await pilot.pause()
        said = " ".join(static_text(app, "#c-check").split())
        assert not said.startswith("ok"), said
        assert "as things stand: clause 1" in said and REPLY in said, said
