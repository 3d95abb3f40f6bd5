"""What a key press costs on the game screen: work that redraws the same thing again is skipped, and
what changes is still drawn. Each runs the real app under Pilot against a live server on 127.0.0.1."""

from __future__ import annotations

from test_tui_support import advance_to, close_cards, new_game, seat_app, until_online, wait_until
from textual.widgets import SelectionList
from textual.widgets._footer import FooterKey

from client_tui.game_screen import GameScreen
from precursor.client import GameClient


def footer_keys(gs: GameScreen) -> list[FooterKey]:
    return list(gs.query(FooterKey))


def footer_words(gs: GameScreen) -> list[str]:
    return [f"{k.key_display} {k.description}".strip() for k in footer_keys(gs)]


async def test_a_tab_switch_keeps_the_footer_keys_when_they_are_the_same(url: str) -> None:
    """Each tab switch moves the focus, and the stock footer mounted all its keys again on every
    focus change: a sixth of a turn's CPU went on identical keys. The same keys stay mounted now."""
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(100, 30)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("1")
        await wait_until(pilot, lambda: footer_keys(gs), what="the footer's keys")
        before, words = footer_keys(gs), footer_words(gs)
        assert any("Ready" in w for w in words)
        for key in ("6", "2", "1"):
            await pilot.press(key)
            await pilot.pause()
        after = footer_keys(gs)
        assert footer_words(gs) == words
        assert len(after) == len(before) and all(a is b for a, b in zip(after, before, strict=True))


async def test_the_footer_still_follows_the_keys_the_focus_brings(url: str) -> None:
    """The facilitator's control tab brings its own key (ctrl+e, advance the phase) into the footer,
    and it goes again with the tab: the footer is rebuilt when what it shows changes."""
    g, _tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, g.facilitator_token)
    async with app.run_test(size=(120, 30)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert not any("Advance phase" in w for w in footer_words(gs))
        await pilot.press("7")
        await wait_until(
            pilot, lambda: any("Advance phase" in w for w in footer_words(gs)), what="ctrl+e in the footer"
        )
        await pilot.press("1")
        await wait_until(
            pilot, lambda: not any("Advance phase" in w for w in footer_words(gs)), what="ctrl+e gone"
        )


async def test_a_view_that_changes_no_lever_row_keeps_the_orders_list(url: str) -> None:
    """Every view (each phase change, each refusal) redraws the orders tab, and the list was emptied
    and filled again each time, a layout pass and every row painted again for the same rows. A
    redraw with the same rows keeps them; a tick the server takes back still shows."""
    g, tokens = await new_game(url, teams=("us",))
    async with GameClient(url, g.game_id, g.facilitator_token) as fac:
        await advance_to(fac, "orders")
        app = seat_app(url, g, tokens["us"])
        async with app.run_test(size=(100, 40)) as pilot:
            gs = await until_online(pilot)
            await wait_until(pilot, lambda: bool(gs.model.view.get("levers")), what="the orders view")
            await close_cards(pilot)
            await pilot.press("5")
            sl = gs.query_one("#order-list", SelectionList)
            await wait_until(pilot, lambda: sl.option_count > 0, what="the levers")
            await pilot.press("down", "space")
            picked = sl.get_option_at_index(1).value
            assert sl.selected == [picked]
            rows = [sl.get_option_at_index(i) for i in range(sl.option_count)]
            gs.redraw_all()  # what a view frame does
            await pilot.pause()
            assert [sl.get_option_at_index(i) for i in range(sl.option_count)] == rows
            assert all(sl.get_option_at_index(i) is r for i, r in enumerate(rows))
            assert sl.selected == [picked] and sl.highlighted == 1
            gs.orders._choice = []  # ticks dropped (as a new turn does): the list is filled again
            gs.redraw_all()
            await pilot.pause()
            assert sl.selected == [] and sl.get_option_at_index(0) is not rows[0]
