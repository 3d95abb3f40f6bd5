"""The debrief as a reader gets it: templates, content in both formats, charts that tell the truth, and
Markdown whose charts resolve to files."""

from __future__ import annotations

import html as html_lib
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from precursor.analysis import charts
from precursor.analysis.review import _value_name, build_report, dumps, to_html, to_markdown
from precursor.analysis.runner import play
from precursor.analysis.simulate import resolve_personas
from precursor.game.bots import BotDriver
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook


def bot_game(rb: Rulebook, scenario: str, seed: int) -> Game:
    game, _ = play(rb, scenario, seed, None, bots=BotDriver(rb, resolve_personas(rb, scenario), seed))
    return game


@pytest.fixture(scope="module")
def red_line_game(rb: Rulebook) -> Game:
    return bot_game(rb, "red-line", 3)  # one agreement, the crisis band reached, objectives met and missed


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "precursor.cli", *args], capture_output=True, text=True)


def _text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_html_and_markdown_carry_the_same_content(rb: Rulebook, red_line_game: Game) -> None:
    rep = build_report(rb, red_line_game.log)
    html = _text(to_html(rep, red_line_game))
    md, _ = to_markdown(rep, red_line_game, "r_files")
    assert rep["agreements"] and rep["red_lines"]
    for text in (html, md.replace("\\", "")):
        for s in rep["scores"].values():  # score components per team, by name
            for c in s["components"].values():
                assert c["name"] in text
        for team in ("United States", "Mexico", "China", "Canada"):
            assert team in text
        assert "met" in text and "missed" in text  # objectives, with the condition and value that decided
        for o in red_line_game.sc.objectives:
            assert o.condition is not None and o.condition.text in text
            # the value it was decided on, by its name ("at the end: 28", beside "at the start: 40" where
            # the condition compares the two)
            name = min(n for n in o.condition.names if not n.startswith("start."))
            assert f"{_value_name(red_line_game, name)} at the " in text
        a = rep["agreements"][0]
        lv = rb.levers[red_line_game.state.agreements[a["id"]]["clauses"][0]["lever"]]
        assert lv.name in text and "'" + "lever" not in text and "{'" not in text  # words, not reprs
        assert re.search(r"turns? \d", text)  # how long it ran
        for r in rep["red_lines"]:
            assert r["level"] in text
        assert "What raised Mexican sovereignty tension".lower() in text.lower()
        for d in rep["red_lines"][-1]["chain"]:
            assert str(d["what"]) in text


def test_a_team_report_marks_estimates_and_lags(rb: Rulebook, red_line_game: Game) -> None:
    rep = build_report(rb, red_line_game.log, "mx")
    lagged = [i for i in rep["indicators"] if i["lag"]]
    estimated = [i for i in rep["indicators"] if i["estimate"]]
    assert lagged and estimated
    html = to_html(rep, red_line_game)
    md, _ = to_markdown(rep, red_line_game)
    for text in (html, md):
        assert f"reported {lagged[0]['lag']} month" in text
        assert text.count("estimate (dashed") >= len(estimated)
    assert 'stroke-dasharray="5,3"' in html  # the estimated series is drawn dashed


def test_player_text_is_data_in_both_formats(rb: Rulebook, red_line_game: Game) -> None:
    rep = build_report(rb, red_line_game.log)
    rep["timeline"][0]["items"].append("MX statement: <script>alert(1)</script> [x](http://evil) *loud*")
    html = to_html(rep, red_line_game)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md, _ = to_markdown(rep, red_line_game)
    shown = MarkdownIt("commonmark").render(md)
    assert "<script>" not in shown and 'href="http://evil"' not in shown and "<em>loud" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [x](http://evil) *loud*" in shown


def _images(md: str) -> list[str]:
    out = []
    for tok in MarkdownIt("commonmark").enable("table").parse(md):
        for child in tok.children or []:
            if child.type == "image":
                out.append(str(child.attrs["src"]))
    return out


def test_markdown_charts_are_files_that_every_image_resolves_to(rb: Rulebook, tmp_path: Path) -> None:
    log = tmp_path / "g.jsonl"
    log.write_text(dumps(bot_game(rb, "loose-talk", 3).log), encoding="utf-8")
    out = tmp_path / "debrief" / "report.md"
    out.parent.mkdir()
    res = cli("report", str(log), "--format", "md", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "report_files" in res.stdout
    md = out.read_text(encoding="utf-8")
    srcs = _images(md)
    assert len(srcs) == 7 and "data:" not in md
    for src in srcs:
        assert not src.startswith(("/", "data:")), src  # relative, so the folder moves as one
        target = out.parent / src
        assert target.is_file(), src
        assert target.read_text(encoding="utf-8").startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    # to standard output there is nowhere to put files: no images, and a note saying so
    res = cli("report", str(log), "--format", "md")
    assert res.returncode == 0 and not _images(res.stdout) and "Charts left out" in res.stdout


def test_user_templates_override_the_shipped_ones(rb: Rulebook, tmp_path: Path) -> None:
    log = tmp_path / "g.jsonl"
    log.write_text(dumps(bot_game(rb, "tutorial", 3).log), encoding="utf-8")
    mine = tmp_path / "tpl"
    mine.mkdir()
    (mine / "report.html.j2").write_text("<p>Ours: {{ game.title }} {{ teams.mx }}</p>\n", encoding="utf-8")
    res = cli("report", str(log), "--format", "html", "--templates", str(mine))
    assert res.returncode == 0 and res.stdout == "<p>Ours: Tutorial: First Contact Mexico</p>\n"
    res = cli("report", str(log), "--format", "md", "--templates", str(mine))  # not overridden: shipped
    assert res.returncode == 0 and res.stdout.startswith("# Debrief: Tutorial")
    (mine / "report.html.j2").write_text("{% for x in %}\n", encoding="utf-8")
    res = cli("report", str(log), "--format", "html", "--templates", str(mine))
    assert res.returncode == 2 and "report.html.j2: line 1" in res.stderr and "Traceback" not in res.stderr
    res = cli("report", str(log), "--format", "html", "--templates", str(tmp_path / "nowhere"))
    assert res.returncode == 2 and "not a folder" in res.stderr and "Traceback" not in res.stderr


# ---------------------------------------------------------------------- charts


@pytest.mark.parametrize(
    ("values", "unit", "bounds", "low", "high"),
    [
        ([70000, 70000, 68000], "deaths/yr", (0, None), 0, 80000),  # a small fall stays small
        ([45, 45, 45], "index", (0, 100), 0, 100),  # a bounded scale is drawn whole
        ([45, 45, 45], "index", (None, None), 0, 50),  # a flat level is drawn from zero
        ([-0.2, 0.1], "points", (None, None), -6, 6),  # crossing zero: at least the minimum span
        ([-300, -100, 200], "$bn", (None, None), -400, 400),
    ],
)
def test_the_y_axis_never_exaggerates(
    values: list[float], unit: str, bounds: tuple[Any, Any], low: float, high: float
) -> None:
    lo, hi, step = charts.axis_range(values, unit, bounds)
    assert (lo, hi) == (low, high)
    assert lo <= min(values) and hi >= max(values)
    assert hi - lo >= charts.min_span(unit, max(abs(v) for v in values))
    assert ((hi - lo) / step) == round((hi - lo) / step)


def test_a_chart_has_turns_dates_names_and_markers(rb: Rulebook, red_line_game: Game) -> None:
    rep = build_report(rb, red_line_game.log)
    html = to_html(rep, red_line_game)
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    st = next(s for s in svgs if "Mexican sovereignty tension" in s)
    start = red_line_game.sc.model.start
    assert ">T1<" in st and ">T2<" in st and f">{start[:4]}<" in st  # turns, and dates under them
    assert "mx.st" not in st  # the rulebook's name, not the id
    for kind in ("inject", "agreement", "red_line"):
        assert f">{charts.MARKER_STYLE[kind][1]}</text>" in st
    assert html.count('class="charts"') == 1  # one grid of small multiples
