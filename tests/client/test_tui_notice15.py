"""A notice longer than three lines was cut at 80x24 (session 14): the refusal's end, which says what
to do, was the part lost. The notice line now grows to seven lines before it cuts."""

from __future__ import annotations

from test_tui_support import close_cards, new_game, screen_text, seat_app, until_online


async def test_a_five_line_notice_is_read_whole_at_80x24(url: str) -> None:
    g, tokens = await new_game(url, teams=("mx",))
    app = seat_app(url, g, tokens["mx"])
    async with app.run_test(size=(80, 24)) as pilot:
        gs = await until_online(pilot)
        await close_cards(pilot)
        words = " ".join(f"word{i}" for i in range(60))  # about five lines at 80 columns
        gs.notice(f"not sent — {words} and the end of it")
        await pilot.pause(0.2)
        text = " ".join(screen_text(app).split())
        assert "word59 and the end of it" in text, text
