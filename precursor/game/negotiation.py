"""Channels, messages, structured proposals, agreements and their compliance.

Agreements never execute themselves: they bind what teams *should* order, and compliance is read
from the orders actually played at each adjudication (docs/design.md, "Agreements and compliance").
Reneging costs trust and, for public deals, approval (rule D5).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from precursor.game.commands import (
    Actor,
    CommandError,
    OpenChannel,
    Order,
    Propose,
    Respond,
    SendMessage,
    TeamId,
)
from precursor.game.core import GameCore, normalise_params
from precursor.game.expr import ExprError, compile_expr
from precursor.game.rulebook import Rulebook
from precursor.game.schema import TEAMS
from precursor.game.teams import TRILATERAL

NEGOTIABLE = ("briefing", "negotiation", "orders", "results")
CHINA_FRAMINGS = ("china_initiative", "multilateral", "reciprocal", "us_demand_met")
# rule H1: the teams a trilateral module needs among a deal's parties (the composer offers modules by it)
MODULE_SIGNERS: tuple[str, ...] = tuple(t for t in TEAMS if t in TRILATERAL)
# how a refusal names the framings China accepts: a player reads it, and the keys mean nothing to them
_CHINA_FRAMING_WORDS = "China's own initiative, a multilateral effort, reciprocal steps or a US demand met"


def _member(g: GameCore, actor: Actor, channel_id: str) -> dict[str, Any]:
    ch = g.state.channels.get(channel_id)
    if ch is None:
        raise CommandError("unknown_channel", f"unknown channel '{channel_id}'")
    if actor.role in ("facilitator", "system"):
        return ch
    if actor.team not in ch["members"]:
        raise CommandError("not_a_member", f"team {actor.team} is not a member of channel '{channel_id}'")
    return ch


def send_message(g: GameCore, actor: Actor, cmd: SendMessage) -> None:
    if g.state.phase not in NEGOTIABLE:
        raise CommandError("wrong_phase", "the game is not running")
    ch = _member(g, actor, cmd.channel)
    if ch.get("closed"):
        raise CommandError("channel_closed", f"channel '{cmd.channel}' is closed by the facilitator")
    team = actor.team if actor.role not in ("facilitator", "system") else "control"
    n = len(g.state.messages) + 1  # a list: counting it by iteration made long games quadratic
    vis: Any = "all" if ch["kind"] == "press" else list(ch["members"])
    g.emit(
        {
            "type": "message",
            "id": f"m{n}",
            "channel": cmd.channel,
            "team": team,
            "seat": actor.seat,
            "name": actor.name,
            "text": cmd.text,
            "turn": g.state.turn,
            "vis": vis,
        }
    )


def open_channel(g: GameCore, actor: Actor, cmd: OpenChannel) -> None:
    members = sorted(set(cmd.members), key=TEAMS.index)
    if actor.role not in ("facilitator", "system") and actor.team not in members:
        raise CommandError("not_a_member", "you can only open a channel you belong to")
    cid = "ch." + "_".join(members)
    if cid in g.state.channels:
        raise CommandError("channel_exists", f"a channel for {', '.join(members)} already exists: '{cid}'")
    name = cmd.name or "–".join(m.upper() for m in members)
    g.emit(
        {
            "type": "channel_opened",
            "channel": {"id": cid, "name": name, "members": members, "kind": "custom"},
            "vis": members,
        }
    )


def _name(rb: Rulebook, team: str) -> str:
    """A team as a player reads it in a refusal (the composer shows the server's words)."""
    return rb.teams[team].name if team in rb.teams else team


def _validate_clause_order(rb: Rulebook, actor: str, lever_id: str, params: dict[str, Any]) -> dict[str, Any]:
    lever = rb.levers.get(lever_id)
    if lever is None:
        raise CommandError("unknown_lever", f"unknown lever '{lever_id}'")
    if lever.team != actor:
        raise CommandError(
            "not_their_lever",
            f"{lever.code} is held by team {lever.team}, so team {actor} cannot commit to it",
        )
    return normalise_params(lever, params)


# the trust in a partner below which its word alone is not enough: the bots' counters then ask for the
# compliance of a self-verified deal to be checked by both sides, and the composer says so before one goes
WORD_TRUST = 60


def check_proposal(
    rb: Rulebook,
    cmd: Propose,
    team: str,
    *,
    turn: int,
    phase: str,
    tabled: int,
    limit: int,
    consent_token: Callable[[], bool],
    breach: Callable[[], tuple[float, float] | None],
) -> list[dict[str, Any]]:
    """Every check of a proposal that needs no more than a team can see: the phase, the parties, the
    turn's limit, each clause (lever, parameters, start, condition), snapbacks and the rules' terms.
    ``propose`` runs it, and the client's composer runs it on its view, so a draft it calls good is
    one the server takes (but for the links: a countered proposal or a channel). Returns the clauses
    as they would be tabled; raises ``CommandError`` with the server's own words."""
    if phase not in ("briefing", "negotiation"):
        raise CommandError(
            "wrong_phase", f"proposals are tabled in the briefing and negotiation phases, not in {phase}"
        )
    parties = sorted(set(cmd.parties), key=TEAMS.index)
    if team not in parties:
        raise CommandError("bad_proposal", "the proposing team must be a party")
    if len(parties) < 2:
        raise CommandError("bad_proposal", "a proposal needs at least two different parties")
    if tabled >= limit:
        raise CommandError("proposal_limit", f"{_name(rb, team)} may table {limit} proposals a turn")
    if not cmd.clauses and not cmd.modules:
        raise CommandError("bad_proposal", "a proposal needs at least one clause or module")
    clauses = _clauses(rb, cmd, parties, turn)
    _check_snapbacks(rb, cmd, parties)
    _check_terms(rb, cmd, clauses, parties, consent_token)
    if cmd.sovereignty_accord:
        _check_accord(rb, cmd, clauses, parties, breach())
    return clauses


def _check_accord(
    rb: Rulebook,
    cmd: Propose,
    clauses: list[dict[str, Any]],
    parties: list[TeamId],
    breach: tuple[float, float] | None,
) -> None:
    """What a Sovereignty Accord must be (rule A3, a3.accord): a public deal of the United States and
    Mexico in which the US gives something, signed once the breach it clears is old enough. ``breach``
    is (months since the hard red line was crossed, months the rules ask) while a breach stands
    uncleared, else None. Unchecked, the flag on any deal counted it in full weight (design.md,
    Agreement points), breach or none, so a one-turn swap flagged an accord scored as a long deal."""
    if not {"us", "mx"} <= set(parties):
        raise CommandError(
            "bad_proposal",
            "a Sovereignty Accord is a deal of the United States and Mexico: both must be parties",
        )
    if cmd.visibility != "public":
        raise CommandError(
            "bad_proposal", "a Sovereignty Accord clears the breach in public: make the deal public"
        )
    if not any(c["actor"] == "us" for c in clauses):
        raise CommandError(
            "bad_proposal",
            "a Sovereignty Accord needs a US concession: add a clause the United States commits to (action"
            " on arms, an acknowledgement of shared responsibility, social funding or an extradition"
            " arrangement)",
        )
    if breach is None:
        raise CommandError(
            "bad_proposal",
            "a Sovereignty Accord clears a breach of the hard red line, and no breach stands uncleared",
        )
    months, needed = breach
    if months < needed:
        raise CommandError(
            "bad_proposal",
            f"a Sovereignty Accord can clear the breach {needed:g} months after it, and it is {months:g}"
            f" month{'s' if months != 1 else ''} old",
        )


def propose(g: GameCore, actor: Actor, cmd: Propose) -> None:
    team, _seat = g.player(actor)
    turn = g.state.turn
    clauses = check_proposal(
        g.rb,
        cmd,
        team,
        turn=turn,
        phase=g.state.phase,
        tabled=g.state.proposal_counts.get(team, 0),
        limit=g.sc.model.proposal_limit,
        consent_token=lambda: any(t.get("active") for t in g.state.tokens.values()),
        breach=lambda: breach_age(g.rb, g.state.env),
    )
    parties = sorted(set(cmd.parties), key=TEAMS.index)
    _check_links(g, cmd, team, parties)
    n = g.state.proposal_counts.get(team, 0) + 1
    pid = f"T{turn}-{team.upper()}-{n}"
    proposal = {
        "id": pid,
        "from": team,
        "parties": parties,
        "clauses": clauses,
        "visibility": cmd.visibility,
        "framing": cmd.framing,
        "verification": cmd.verification,
        "modules": list(cmd.modules),
        "linkage": cmd.linkage,
        "snapback": [s.model_dump() for s in cmd.snapback],
        "expires_turn": cmd.expires_turn or turn,
        "counter_to": cmd.counter_to,
        "sovereignty_accord": cmd.sovereignty_accord,
        "note": cmd.note,
        "turn": turn,
        "status": "open",
        "accepted": [team],
        "by": actor.name,  # who drafted it (grading and the review); not used by any rule
    }
    g.emit(
        {"type": "proposal", "proposal": proposal, "vis": "all" if cmd.visibility == "public" else parties}
    )
    if cmd.counter_to is not None and g.state.proposals[cmd.counter_to]["status"] == "open":
        g.emit(
            {
                "type": "proposal_closed",
                "proposal": cmd.counter_to,
                "status": "countered",
                "by": pid,
                "vis": g.state.proposals[cmd.counter_to]["parties"],
            }
        )


def _clauses(rb: Rulebook, cmd: Propose, parties: list[TeamId], turn: int) -> list[dict[str, Any]]:
    """The proposal's clauses, each checked and normalised (parameters, start turn, condition)."""
    clauses: list[dict[str, Any]] = []
    for i, c in enumerate(cmd.clauses):
        if c.actor not in parties:
            raise CommandError("bad_proposal", f"clause {i + 1}: {_name(rb, c.actor)} is not a party")
        params = _validate_clause_order(rb, c.actor, c.lever, c.params)
        start = c.start_turn or turn
        if start < turn:
            raise CommandError("bad_proposal", f"clause {i + 1}: start turn {start} is in the past")
        if c.condition is not None:
            try:
                compile_expr(c.condition, rb.symbols, "bool")
            except ExprError as exc:
                raise CommandError("bad_proposal", f"clause {i + 1} condition: {exc}") from None
        clause = {
            "actor": c.actor,
            "lever": c.lever,
            "params": params,
            "start_turn": start,
            "duration": c.duration,
            "condition": c.condition,
        }
        if clause in clauses:  # it binds nothing more, and each turn's results told it twice
            same = clauses.index(clause) + 1
            code = rb.levers[c.lever].code
            raise CommandError("bad_proposal", f"clause {i + 1} repeats clause {same} ({code}): remove one")
        clauses.append(clause)
    return clauses


def _check_snapbacks(rb: Rulebook, cmd: Propose, parties: list[TeamId]) -> None:
    for i, s in enumerate(cmd.snapback):
        if s.actor not in parties:
            raise CommandError("bad_proposal", f"snapback {i + 1}: {_name(rb, s.actor)} is not a party")
        _validate_clause_order(rb, s.actor, s.lever, s.params)
        try:
            compile_expr(s.trigger, rb.symbols, "bool")
        except ExprError as exc:
            raise CommandError("bad_proposal", f"snapback {i + 1} trigger: {exc}") from None


def _check_terms(
    rb: Rulebook,
    cmd: Propose,
    clauses: list[dict[str, Any]],
    parties: list[TeamId],
    consent_token: Callable[[], bool],
) -> None:
    """What the rules ask of a deal's content: China's framing (CS2), Mexican consent (A4), modules (H1)."""
    chinese = [i for i, c in enumerate(clauses) if c["actor"] == "cn"]
    if chinese and cmd.framing not in CHINA_FRAMINGS:
        raise CommandError(
            "bad_proposal",
            f"clause {chinese[0] + 1}: a Chinese commitment needs a framing: choose how China frames it"
            f" ({_CHINA_FRAMING_WORDS})",
        )
    consent_needed = [i for i, c in enumerate(clauses) if "consent_bounded" in rb.levers[c["lever"]].tags]
    if consent_needed:
        has_grant = any("consent_grant" in rb.levers[c["lever"]].tags for c in clauses)
        if not (has_grant or consent_token()):
            i = consent_needed[0]
            raise CommandError(
                "bad_proposal",
                f"clause {i + 1}: {rb.levers[clauses[i]['lever']].code} places US personnel in Mexico, which"
                " needs Mexico's consent: add a Mexican MX-CONSENT clause (no consent token is active now)",
            )
    for m in cmd.modules:
        if m not in rb.modules:
            raise CommandError("bad_proposal", f"unknown trilateral module '{m}'")
    if cmd.modules and not set(parties) >= TRILATERAL:
        raise CommandError(
            "bad_proposal", "trilateral modules need the United States, Mexico and Canada as parties"
        )
    # a deal of modules alone binds only the three: another party would sign nothing and still earn an
    # agreement's points (a student's China signed one with all three and scored it)
    outside = [t for t in parties if t not in TRILATERAL]
    if cmd.modules and not clauses and outside:
        names = " and ".join(rb.teams[t].name if t in rb.teams else t for t in outside)
        raise CommandError(
            "bad_proposal",
            f"a deal of trilateral modules alone binds only the United States, Mexico and Canada: {names}"
            " would commit to nothing in it; add a clause for it, or leave it out of the parties",
        )


def breach_age(rb: Rulebook, env: Mapping[str, Any]) -> tuple[float, float] | None:
    """(months since the hard red line was crossed, months before an accord may clear it) while a breach
    stands uncleared; the same test the signing applies (adjudication/agreements.py)."""
    if not env.get("flag.hrl"):
        return None
    rule = rb.mechanisms.get("a3.accord")
    spec = rule.params.get("min_turns") if rule is not None else None
    turns = float(spec.fn(env)) if spec is not None else 3.0
    return float(env["flag.hrl_months"]), turns * float(env["months_per_turn"])


def _check_links(g: GameCore, cmd: Propose, team: str, parties: list[TeamId]) -> None:
    """The proposal it counters and the channel it is tabled in must exist and include the parties."""
    if cmd.counter_to is not None:
        prev = g.state.proposals.get(cmd.counter_to)
        if prev is None or team not in prev["parties"]:
            raise CommandError("bad_proposal", f"no proposal '{cmd.counter_to}' to counter")
    if cmd.channel is not None:
        ch = g.state.channels.get(cmd.channel)
        if ch is None or not set(parties) <= set(ch["members"]):
            raise CommandError("bad_proposal", f"channel '{cmd.channel}' does not include every party")


def answer_refusal(
    p: dict[str, Any] | None, pid: str, team: str, phase: str, action: str
) -> tuple[str, str] | None:
    """Why ``team`` may not answer proposal ``pid`` (``p``, None when it is not in the team's sight)
    with ``action`` now: the refusal's code and the server's message, or None. ``respond`` raises it,
    and the client runs it on its view to offer only the answers the server takes."""
    if p is None or team not in p["parties"]:
        return "unknown_proposal", f"no proposal '{pid}' addressed to team {team}"
    if p["status"] != "open":
        return "proposal_closed", f"proposal {pid} is {p['status']}"
    if phase not in ("briefing", "negotiation"):
        return "wrong_phase", "proposals are answered before orders"
    if action == "withdraw" and p["from"] != team:
        return "forbidden", "only the proposer can withdraw a proposal"
    if action == "reject" and p["from"] == team:
        # the proposer's way out is a withdrawal: a rejection of its own terms told the other parties
        # nothing, and the client offered both
        return "forbidden", "the proposer withdraws its own proposal rather than rejecting it"
    if action == "accept" and team in p["accepted"]:
        return "already_accepted", f"team {team} has already accepted {pid}"
    return None


def respond(g: GameCore, actor: Actor, cmd: Respond) -> None:
    team, _seat = g.player(actor)
    p = g.state.proposals.get(cmd.proposal)
    refusal = answer_refusal(p, cmd.proposal, team, g.state.phase, cmd.action)
    if refusal is not None:
        raise CommandError(*refusal)
    assert p is not None  # answer_refusal refuses a proposal that is not there
    vis = "all" if p["visibility"] == "public" else p["parties"]
    ev: dict[str, Any] = {
        "type": "proposal_response",
        "proposal": p["id"],
        "team": team,
        "action": cmd.action,
        "by": actor.name,
        "vis": vis,
    }
    reason = " ".join(cmd.reason.split())  # one line, whatever was typed
    if reason:  # absent rather than empty, so answers without a reason log as they always did
        ev["reason"] = reason
    g.emit(ev)
    if cmd.action == "accept" and set(p["accepted"]) >= set(p["parties"]):
        sign(g, p)


def agreement_points(parties: list[str], verification: str) -> int:
    """The points a signature earns at full weight: more parties and outside verification bind more."""
    base = 2 if len(parties) == 2 else 3 if len(parties) == 3 else 4
    return base + (1 if verification != "self" else 0)


def bargain(parties: list[str], clauses: list[dict[str, Any]], modules: list[str] | None = None) -> str:
    """Who binds whom to which acts, whatever the durations, numbers and start turns: the same bargain
    re-signed is one arrangement, not a new one (a number is left out so that a changed level does not
    make a renewal new). An act is its lever and its choices (a string or a yes/no parameter: a US-CN-TRACK
    sanctions pause is not the working group it follows), and the trilateral modules a deal signs are
    part of it: a deal of modules alone has no clauses, and every such deal of the three read as a
    renewal of the first, so a second set of modules earned nothing. A string, kept in the agreement,
    so a later signing compares one value per agreement instead of rebuilding each."""
    acts = sorted({_act(c) for c in clauses} | {f"module:{m}" for m in modules or ()})
    return ",".join(sorted(parties)) + "|" + ";".join(acts)


def _act(clause: dict[str, Any]) -> str:
    act = f"{clause['actor']}:{clause['lever']}"
    choices = sorted(
        f"{k}={v}" for k, v in (clause.get("params") or {}).items() if isinstance(v, (str, bool))
    )
    return act + ("(" + ",".join(choices) + ")" if choices else "")


def renewal_of(g: GameCore, p: dict[str, Any]) -> tuple[str | None, float]:
    """The first agreement of the game with the same bargain as proposal ``p``, if any, and how much of
    one full agreement that bargain has earned so far: a bargain scores at most once in full, however
    often it is re-signed, so a run of one-turn renewals kept earns what one deal of that length would.
    The probe's accept-everything China signed Canada's penalties-for-talks deal five times in The Record
    and earned agreement points and face each time (+19 over its best persona)."""
    key = bargain(p["parties"], p["clauses"], p.get("modules"))
    first: str | None = None
    used = 0.0
    for a in g.state.agreements.values():  # in signing order
        if (a.get("bargain") or bargain(a["parties"], a["clauses"], a.get("modules"))) == key:
            first = first or str(a["id"])
            used += float(a.get("weight", 1.0))
    return first, used


def agreement_weight(g: GameCore, p: dict[str, Any]) -> float:
    """How much of a full agreement's points a deal earns, by what it binds the parties to: clause-turns
    (each clause once per turn it is due) up to the rules' full measure; trilateral modules or a
    sovereignty accord bind in full. A one-turn swap of two acts earns half of what a two-turn
    package does, so tabling cheap one-turn deals every turn no longer fills the agreements score."""
    return clause_turn_weight(p, g.param("d5.audience_costs", "full_weight_clause_turns", 4))


def clause_turn_weight(p: dict[str, Any], full: float) -> float:
    """``agreement_weight`` given the rules' full measure: pure, so a bot weighing whether to sign counts
    the share of an agreement's points the deal would earn as the signing will."""
    if p["modules"] or p.get("sovereignty_accord"):
        return 1.0
    turns = sum(max(int(c["duration"]), 1) for c in p["clauses"])
    return 1.0 if full <= 0 else min(1.0, turns / full)


def sign(g: GameCore, p: dict[str, Any]) -> None:
    """All parties accepted: the proposal becomes an agreement (rule D5 signing effects apply)."""
    aid = "A" + p["id"][1:]
    last = max([c["start_turn"] + max(c["duration"], 1) - 1 for c in p["clauses"]] or [g.state.turn])
    agreement = {
        "id": aid,
        "proposal": p["id"],
        "parties": p["parties"],
        "clauses": p["clauses"],
        "visibility": p["visibility"],
        "framing": p["framing"],
        "verification": p["verification"],
        "modules": p["modules"],
        "linkage": p["linkage"],
        "snapback": p["snapback"],
        "sovereignty_accord": p.get("sovereignty_accord", False),
        "signed_turn": g.state.turn,
        "ends_turn": last,
        "status": "signed",
        "modules_active": False,
        "reneged": [],
    }
    renewal, used = renewal_of(g, p)
    weight = min(agreement_weight(g, p), max(0.0, 1.0 - used))
    agreement["points"] = round(agreement_points(p["parties"], p["verification"]) * weight, 2)
    agreement["weight"] = round(weight, 4)
    agreement["bargain"] = bargain(p["parties"], p["clauses"], p.get("modules"))
    if renewal is not None:
        agreement["renewal_of"] = renewal
    env = g.state.env
    changes: dict[str, Any] = {}
    for t in p["parties"]:
        changes[f"agreements.{t}"] = env[f"agreements.{t}"] + 1
    changes["agreements.total"] = env["agreements.total"] + 1
    if set(p["parties"]) >= TRILATERAL:
        changes["agreements.trilateral"] = env["agreements.trilateral"] + 1
    vis = "all" if p["visibility"] == "public" else p["parties"]
    g.emit(
        {"type": "agreement", "agreement": agreement, "changes": changes, "vis": vis, "turn": g.state.turn}
    )


def clause_due(clause: dict[str, Any], turn: int) -> bool:
    start = int(clause["start_turn"])
    return start <= turn <= start + max(int(clause["duration"]), 1) - 1


def order_meets(g: GameCore, clause: dict[str, Any], order: dict[str, Any]) -> bool:
    """An order meets a clause when it plays the lever with parameters at least as strong."""
    return order["lever"] == clause["lever"] and params_meet(g.rb, clause, order["params"])


def params_meet(rb: Rulebook, clause: dict[str, Any], params: dict[str, Any]) -> bool:
    """Whether an order's (normalised) parameters are at least as strong as the clause asks. Pure, so
    the orders tab warns before submitting what the compliance check will count as broken (a student
    re-ticked MX-ME at last turn's 60 under a clause for 70, and read of the break in the results)."""
    lever = rb.levers[clause["lever"]]
    for pid, want in clause["params"].items():
        got = params.get(pid)
        p = lever.params[pid]
        if p.type in ("int", "num"):
            if p.stronger == "higher" and got < want:
                return False
            if p.stronger == "lower" and got > want:
                return False
            if p.stronger == "equal" and got != want:
                return False
        elif got != want:
            return False
    return True


def as_order(lever: str, params: dict[str, Any]) -> Order:
    return Order(lever=lever, params=params)
