"""The find fields put the best match first (session 15's students).

A student typed TRI in the orders tab and saw US-STRIKE — the strike across the hard red line — first and
highlighted, above US-TRI ("sTRIke"): Space would have ticked it. The composer's lever list had the same
order. (Another student's PROSECUTE, Down, Enter adding MX-RELEASE is not explained by the order: MX-PROSECUTE
already came first there.)
"""

from __future__ import annotations

from test_tui_support import (
    game_at_orders,
    new_game,
    open_composer,
    open_orders,
    seat_app,
    wait_until,
)
from textual.widgets import Input, Select


async def test_the_orders_find_field_puts_a_code_match_first(url: str) -> None:
    g, tokens = await game_at_orders(url, "us")
    async with seat_app(url, g, tokens["us"]).run_test(size=(80, 24)) as pilot:
        _gs, sl = await open_orders(pilot)
        sl.focus()
        await pilot.press("slash", *"tri")
        await wait_until(pilot, lambda: 1 < sl.option_count < 10, what="the matches")
        values = [sl.get_option_at_index(i).value for i in range(sl.option_count)]
        assert values[0] == "us_tri", values
        assert values.index("us_strike") > values.index("us_tri"), values
        assert sl.highlighted == 0


async def test_the_composer_find_field_puts_a_code_match_first(url: str) -> None:
    g, tokens = await new_game(url, teams=("us",))
    app = seat_app(url, g, tokens["us"])
    async with app.run_test(size=(80, 24)) as pilot:
        cs = await open_composer(pilot)
        cs.query_one("#c-lever-find", Input).focus()
        await pilot.press(*"tri")
        await wait_until(pilot, lambda: cs._lever_count >= 2, what="the matches")
        options = [v for _label, v in cs.query_one("#c-lever", Select)._options if isinstance(v, str)]
        assert options[0] == "us_tri", options
        assert options.index("us_strike") > 0, options
