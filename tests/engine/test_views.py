"""Views are the security boundary: what each audience may see of the state and of every event."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from precursor.analysis.runner import play
from precursor.game.engine import Game
from precursor.game.rulebook import Rulebook
from precursor.game.views import FACILITATOR, PUBLIC, can_see, events_for, key_visible, redact, view

TEAMS = ("us", "mx", "cn", "ca")

SCRIPT = {
    "turns": [
        {
            "turn": 1,
            "commands": [
                {"team": "us", "type": "message", "channel": "us_mx", "text": "private US-MX note"},
                {"team": "cn", "type": "message", "channel": "team.cn", "text": "internal China note"},
                {
                    "team": "us",
                    "type": "propose",
                    "parties": ["us", "mx"],
                    "visibility": "private",
                    "clauses": [{"actor": "us", "lever": "us_arms"}, {"actor": "mx", "lever": "mx_trace"}],
                },
                {"team": "mx", "type": "respond", "proposal": "T1-US-1", "action": "accept"},
                {
                    "team": "us",
                    "type": "submit_orders",
                    "orders": [{"lever": "us_arms", "visibility": "private"}],
                },
                {
                    "team": "mx",
                    "type": "submit_orders",
                    "orders": [{"lever": "mx_trace", "visibility": "private"}],
                },
            ],
        }
    ]
}


def _game(rb: Rulebook, turns: int = 2) -> Game:
    g, errs = play(rb, "loose-talk", 5, SCRIPT, until_turn=turns)
    assert not errs, errs
    return g


def test_channels_and_messages_follow_membership(rb: Rulebook) -> None:
    g = _game(rb)
    cn = view(g, "cn")
    assert all("cn" in c["members"] or c["kind"] == "press" for c in cn["channels"])
    assert [m["text"] for m in cn["messages"]] == ["internal China note"]
    us = view(g, "us")
    assert "private US-MX note" in [m["text"] for m in us["messages"]]
    assert "internal China note" not in [m["text"] for m in us["messages"]]
    assert view(g, PUBLIC)["messages"] == []


def test_private_deals_and_orders_stay_with_their_teams(rb: Rulebook) -> None:
    g = _game(rb)
    for team in ("cn", "ca", PUBLIC):
        evs = events_for(g, team)
        assert not any(e["type"] in ("proposal", "agreement") for e in evs), team
        assert not any(e["type"] == "order_executed" and e["team"] in ("us", "mx") for e in evs), team
        assert not any(e["type"] == "orders_submitted" for e in evs), team
    us_evs = events_for(g, "us")
    assert any(e["type"] == "agreement" for e in us_evs)
    assert any(e["type"] == "orders_submitted" and e["team"] == "us" for e in us_evs)
    assert not any(e["type"] == "orders_submitted" and e["team"] == "mx" for e in us_evs)


def test_a_public_orders_lagged_effects_stay_with_its_team(rb: Rulebook) -> None:
    """A joint indictment's lagged capture chance is computed from Mexico's cooperation when it is
    ordered, and the order's event carried it to every team, hidden value and all."""
    script = {
        "turns": [
            {
                "turn": 1,
                "commands": [
                    {
                        "team": "us",
                        "type": "submit_orders",
                        "orders": [{"lever": "us_ind", "params": {"mode": "joint"}}],
                    }
                ],
            }
        ]
    }
    g, errs = play(rb, "loose-talk", 5, script, until_turn=2)
    assert not errs, errs

    def order(team: str) -> dict[str, Any]:
        evs = events_for(g, team)
        return next(e for e in evs if e["type"] == "order_executed" and e["lever"] == "us_ind")

    assert order("us")["scheduled"] and order(FACILITATOR)["scheduled"]
    for team in ("mx", "cn", "ca", PUBLIC):
        assert "scheduled" not in order(team), team


def test_secret_objectives_only_for_their_team(rb: Rulebook) -> None:
    g = _game(rb)
    for team in TEAMS:
        v = view(g, team)
        for t, obj in v["objectives"].items():
            assert ("secret" in obj) == (t == team), (team, t)
            assert obj["public"]
    fac = view(g, FACILITATOR)
    assert all("secret" in obj for obj in fac["objectives"].values())


def test_fogged_indicators_are_lagged_and_true_values_never_sent(rb: Rulebook) -> None:
    g = _game(rb, turns=6)
    true_od = g.state.env["us.od_synth"]
    us_view = {i["id"]: i for i in view(g, "us")["indicators"]}
    od = us_view["us.od_synth"]
    assert od["lag"] == 4
    assert od["value"] == g.state.history["us.od_synth"][-1 - 4]
    assert "hidden.sigma" not in us_view and "flow.street" not in us_view
    pre = {i["id"]: i for i in view(g, "mx")["indicators"]}["flow.precursor"]
    assert pre["estimate"] and pre["value"] != g.state.env["flow.precursor"]
    assert view(g, "mx")["indicators"] == view(g, "mx")["indicators"]  # the noise is fixed, not redrawn
    for team in (*TEAMS, PUBLIC):
        for e in events_for(g, team):
            for field in ("changes", "before"):
                assert "us.od_synth" not in e.get(field, {}), (team, e["type"])
                assert "hidden.sigma" not in e.get(field, {}), (team, e["type"])
            if e["type"] == "month":
                assert "us.od_synth" not in e["values"]
    fac = {i["id"]: i for i in view(g, FACILITATOR)["indicators"]}
    assert (
        fac["us.od_synth"]["value"] == true_od and fac["hidden.sigma"]["value"] == g.state.env["hidden.sigma"]
    )


def test_owner_sees_its_own_indicators_exactly(rb: Rulebook) -> None:
    g = _game(rb)
    assert key_visible(rb, "cn.ctrl", "cn") and not key_visible(rb, "cn.ctrl", "us")
    cn = {i["id"]: i for i in view(g, "cn")["indicators"]}
    assert cn["cn.ctrl"]["value"] == g.state.env["cn.ctrl"] and not cn["cn.ctrl"]["estimate"]
    assert "us.pc" not in {i["id"] for i in view(g, "cn")["indicators"]}
    assert view(g, "cn")["pc"] == {"cn": g.state.env["cn.pc"]}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10_000),
    orders=st.lists(
        st.tuples(st.sampled_from(TEAMS), st.sampled_from(["public", "private"])), min_size=0, max_size=4
    ),
)
def test_no_event_reaches_an_audience_that_may_not_see_it(rb: Rulebook, seed: int, orders: list[Any]) -> None:
    cheap = {"us": "us_arms", "mx": "mx_trace", "cn": "cn_pen", "ca": "ca_tri"}
    cmds = [
        {"team": t, "type": "submit_orders", "orders": [{"lever": cheap[t], "visibility": v}]}
        for t, v in dict(orders).items()
        if cheap[t] != "ca_tri" or v == "public"
    ]
    g, _ = play(rb, "loose-talk", seed, {"turns": [{"turn": 1, "commands": cmds}]}, until_turn=2)
    for team in (*TEAMS, PUBLIC):
        for ev in g.log:
            r = redact(rb, ev, team)
            if r is None:
                continue
            assert can_see(ev, team)
            for field in ("changes", "before"):
                for k in r.get(field, {}):
                    assert key_visible(rb, k, team), (team, ev["type"], k)
            if ev["type"] == "order_executed" and ev["visibility"] == "private":
                assert ev["team"] == team
