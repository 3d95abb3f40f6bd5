"""Scripted bots: seeded, explainable players that fill empty seats and play batch runs.

A bot is handed exactly the view a human of its team gets (``views.view``) and nothing else: its
persona's conditions were checked at load time against the names that view provides. Each turn it
follows the decision loop of FACTBASE §7: read the (lagged, noisy) dashboard, score orders and
proposals with its persona's utility, let hard rules override utility, answer proposals against its
reservation and trust, table its preferred package, honour (or, rarely, break) its commitments, and
give orders within its political capital. Every decision comes with a one-line reason, logged for the
facilitator and the after-action review only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .commands import (
    Actor,
    Clause,
    Command,
    CommandEnvelope,
    Note,
    Order,
    Propose,
    Respond,
    SendMessage,
    StatementOrder,
    SubmitOrders,
)
from .persona_rules import CPersona
from .rng import roll
from .schema import TEAMS

if TYPE_CHECKING:
    from .engine import Game
    from .rulebook import CLever, Rulebook

HISTORY_KEY = "__history__"


@dataclass(slots=True)
class Decision:
    command: Command
    reason: str
    decision: str


def pair(a: str, b: str) -> str:
    return f"{a}_{b}" if TEAMS.index(a) < TEAMS.index(b) else f"{b}_{a}"


# ---------------------------------------------------------------------- what a team can compute from its view


def _exact(rb: Rulebook, name: str, team: str) -> bool:
    """Whether the team's view gives a name's true current value (so the bot's checks match the engine's)."""
    ind = rb.indicators.get(name)
    if ind is not None:
        if ind.owner == team:
            return True
        fog = ind.fog_by_team.get(team, ind.fog)  # type: ignore[call-overload]
        return ind.public and not fog.hidden and fog.lag == 0 and fog.noise == 0
    if name.startswith(("played.", "streak.", "count.")):
        lv = rb.levers.get(name.split(".", 1)[1])
        return lv is not None and lv.team == team
    return name.startswith(("param.", "act.", "window.", "module.")) or name in (
        "turn",
        "turns",
        "month",
        "month_index",
        "months_per_turn",
    )


_TEMPLATES: dict[int, dict[str, Any]] = {}


def _template(rb: Rulebook) -> dict[str, Any]:
    """The names every bot environment has, with neutral values; copied, then filled from a view."""
    tpl = _TEMPLATES.get(id(rb))
    if tpl is None:
        from .engine import static_names

        tpl = dict(static_names(rb))  # lever counters, windows, modules, tallies: as at a game's start
        for iid, ind in rb.indicators.items():
            tpl[iid] = ind.default
            tpl[f"start.{iid}"] = ind.default
            tpl[f"mean.{iid}"] = ind.default
            tpl[f"trend.{iid}"] = 0.0
        _TEMPLATES[id(rb)] = tpl
    return tpl


_NAMES: dict[int, dict[str, tuple[str, str, str]]] = {}


def _names(rb: Rulebook) -> dict[str, tuple[str, str, str]]:
    names = _NAMES.get(id(rb))
    if names is None:
        names = {iid: (f"trend.{iid}", f"start.{iid}", f"mean.{iid}") for iid in rb.indicators}
        _NAMES[id(rb)] = names
    return names


def env_from_view(rb: Rulebook, view: dict[str, Any]) -> dict[str, Any]:
    """An expression environment built only from a view: displayed values, the scenario's public
    starting values, and the rulebook's defaults for whatever the team cannot see."""
    env: dict[str, Any] = dict(_template(rb))
    names = _names(rb)
    for iid, v in view.get("start", {}).items():
        _, start_k, mean_k = names[iid]
        env[iid] = v
        env[start_k] = v
        env[mean_k] = v
    hist: dict[str, list[float]] = {}
    for item in view["indicators"]:
        iid = item["id"]
        env[iid] = item["value"]
        series = item.get("trend") or [item["value"]]
        hist[iid] = series  # read-only: lag() indexes it
        if len(series) >= 4 and series[-4]:
            env[names[iid][0]] = (series[-1] - series[-4]) / abs(series[-4]) * 100
    env[HISTORY_KEY] = hist
    _overlay(env, view)
    return env


def _overlay(env: dict[str, Any], view: dict[str, Any]) -> None:
    """The parts of a view that change without the dashboard changing: clock, windows, counts, capital."""
    sc = view["scenario"]
    env.update(
        {
            "turn": view["turn"],
            "turns": sc["turns"],
            "months_per_turn": sc["months_per_turn"],
            "month": int(view["date"][5:7]) if view.get("date") else 1,
            "month_index": (view["turn"] - 1) * sc["months_per_turn"],
        }
    )
    for k, v in view.get("windows", {}).items():
        env[f"window.{k}"] = v
    for k, v in view.get("modules", {}).items():
        env[f"module.{k}"] = v
    for lid, c in view.get("counts", {}).items():
        env[f"played.{lid}"] = c["played"]
        env[f"streak.{lid}"] = c["streak"]
        env[f"count.{lid}"] = c["count"]
    for t, v in view.get("pc", {}).items():
        env[f"{t}.pc"] = v


def _visibilities(lever: CLever) -> tuple[str, ...]:
    """Visibilities worth comparing: both only when the choice changes what the order does."""
    if lever.visibility != "choice":
        return (lever.visibility,)
    differs = lever.sov_public != lever.sov_private or any(ce.visibility != "any" for ce in lever.effects)
    return ("public", "private") if differs else ("public",)


_READS: dict[tuple[int, str, str], set[str]] = {}
_PROP_DEFAULTS: dict[int, dict[str, bool]] = {}


def _prop_defaults(rb: Rulebook) -> dict[str, bool]:
    d = _PROP_DEFAULTS.get(id(rb))
    if d is None:
        d = {}
        for lid in rb.levers:
            d[f"prop.gives.{lid}"] = False
            d[f"prop.asks.{lid}"] = False
        _PROP_DEFAULTS[id(rb)] = d
    return d


_WEIGHTED: dict[tuple[int, str, str], tuple[list[tuple[Any, float, float]], float, float]] = {}


# ---------------------------------------------------------------------- the bot


@dataclass
class Bot:
    rb: Rulebook
    team: str
    persona_id: str
    seed: int
    history: list[str] = field(default_factory=list)  # persona ids it switched through
    tabled: set[int] = field(default_factory=set)  # turns in which it tabled its package
    _env: tuple[int, dict[str, Any]] | None = None  # the last environment, by its view's indicator list

    def _environment(self, view: dict[str, Any]) -> dict[str, Any]:
        """The view as an expression environment; rebuilt only when the dashboard itself has changed."""
        ident = id(view["indicators"])
        if self._env is not None and self._env[0] == ident:
            env = dict(self._env[1])
            _overlay(env, view)
            return env
        env = env_from_view(self.rb, view)
        self._env = (ident, dict(env))
        return env

    @property
    def persona(self) -> CPersona:
        return self.rb.personas[self.persona_id]

    def _roll(self, view: dict[str, Any], label: str) -> float:
        return roll(self.seed, f"bot:{self.team}:{view['turn']}:{view['phase']}:{label}")

    def _holds(
        self, rule_when: Any, rule_chance: Any, env: dict[str, Any], view: dict[str, Any], label: str
    ) -> bool:
        if rule_when is not None and not rule_when.fn(env):
            return False
        if rule_chance is not None:
            return self._roll(view, label) < float(rule_chance.fn(env))
        return True

    # ------------------------------------------------------------------ utility

    def _weighted(self, lever: CLever) -> tuple[list[tuple[Any, float, float]], float, float]:
        """The lever's effects this persona weighs, and its fixed sovereignty and tag terms (cached)."""
        key = (id(self.rb), self.persona_id, lever.id)
        hit = _WEIGHTED.get(key)
        if hit is None:
            p = self.persona
            effects = [(ce, *p.var_weights[ce.target]) for ce in lever.effects if ce.target in p.var_weights]
            st_w = 0.0
            if self.team == "us" and "mx.st" in p.var_weights:
                w, per = p.var_weights["mx.st"]
                st_w = w / per
            tags = sum(p.tag_weights.get(tag, 0.0) for tag in lever.tags)
            hit = (effects, st_w, tags)
            _WEIGHTED[key] = hit
        return hit

    def order_utility(
        self,
        env: dict[str, Any],
        lever: CLever,
        params: dict[str, Any],
        public: bool,
        cost: float | None,
        explain: bool = False,
    ) -> tuple[float, list[str]]:
        """Persona utility of one order; with ``explain``, also the terms that mattered most (the reason)."""
        effects, st_w, tag_total = self._weighted(lever)
        for k, v in params.items():
            env["param." + k] = v
        env["act.public"] = public
        terms: dict[str, float] = {}
        total = 0.0
        try:
            for ce, weight, per in effects:
                if ce.visibility != "any" and (ce.visibility == "public") != public:
                    continue
                try:
                    if ce.when is not None and not ce.when.fn(env):
                        continue
                    v = ce.value.fn(env)
                    prob = float(ce.chance.fn(env)) if ce.chance is not None else 1.0
                except (KeyError, TypeError, ZeroDivisionError):
                    continue
                cur = env.get(ce.target, 0.0)
                if isinstance(v, bool) or isinstance(cur, bool):
                    continue
                op = ce.op
                if op == "add":
                    d = v
                elif op == "mul":
                    d = cur * (v - 1)
                elif op == "set":
                    d = v - cur
                elif op == "min":
                    d = min(cur, v) - cur
                else:
                    d = max(cur, v) - cur
                u = weight * d / per * prob * (0.98**ce.lag)
                total += u
                if explain:
                    terms[ce.target] = terms.get(ce.target, 0.0) + u
        finally:
            for k in params:
                env.pop("param." + k, None)
            env.pop("act.public", None)
        if st_w and (lever.sov_public or lever.sov_private):
            u = st_w * (lever.sov_public if public else lever.sov_private)
            total += u
            terms["mx.st"] = terms.get("mx.st", 0.0) + u
        if tag_total:
            total += tag_total
            terms["#tags"] = tag_total
        if cost:
            c = -self.persona.model.pc_aversion * cost / 3
            total += c
            terms["cost"] = c
        if not explain:
            return total, []
        top = sorted(terms.items(), key=lambda kv: -abs(kv[1]))[:3]
        return total, [f"{k} {v:+.2f}" for k, v in top]

    # ------------------------------------------------------------------ phases

    def decide(self, view: dict[str, Any]) -> list[Decision]:
        phase = view["phase"]
        env = self._environment(view)
        if phase == "negotiation":
            return self._negotiate(view, env)
        if phase == "orders":
            return self._orders(view, env)
        return []

    def _switch(self, view: dict[str, Any], env: dict[str, Any]) -> list[Decision]:
        for i, sw in enumerate(self.persona.switches):
            if sw.to == self.persona_id or sw.to in self.history[-1:]:
                continue
            if self._holds(sw.when, sw.chance, env, view, f"switch{i}"):
                old = self.persona_id
                self.history.append(old)
                self.persona_id = sw.to
                return [
                    Decision(
                        Note(text=f"persona {old} -> {sw.to}: {sw.reason}", decision="switch"),
                        sw.reason,
                        "switch",
                    )
                ]
        return []

    def _negotiate(self, view: dict[str, Any], env: dict[str, Any]) -> list[Decision]:
        out = self._switch(view, env)
        p = self.persona
        # answer what is addressed to us
        for prop in view["proposals"]:
            if prop["status"] != "open" or self.team not in prop["parties"] or self.team in prop["accepted"]:
                continue
            out.append(self._answer(view, env, prop))
        # table the preferred package, once a turn, when the relationship allows it
        pk = p.model.package
        turn = view["turn"]
        if pk is not None and turn not in self.tabled:
            partners = [t for t in pk.partner if t != self.team]
            trust = [env.get(f"trust.{pair(self.team, t)}", 50) for t in partners]
            mine = [a for a in view["agreements"] if a["proposal"].split("-")[1] == self.team.upper()]
            already = any(
                a["status"] in ("signed", "active")
                or (a["status"] == "completed" and a["ends_turn"] >= turn - 2)
                for a in mine
            )
            own_cost = 0.0
            for c in pk.clauses:
                lv = self.rb.levers[c.lever]
                if c.actor == self.team and not (lv.once and env.get(f"count.{lv.id}", 0) >= 1):
                    try:
                        own_cost += float(
                            lv.cost.fn({**env, **{f"param.{k}": v for k, v in c.params.items()}})
                        )
                    except (KeyError, TypeError):
                        own_cost += 1.0
            affordable = own_cost + self._committed_cost(view, env) <= float(view["pc"][self.team])
            if partners and min(trust) >= 30 and not already and affordable:
                self.tabled.add(turn)
                clauses = [
                    Clause(actor=c.actor, lever=c.lever, params=dict(c.params), start_turn=turn, duration=2)
                    for c in pk.clauses
                ]
                parties: list[Any] = sorted({self.team, *partners}, key=lambda t: TEAMS.index(t))
                cmd = Propose(
                    parties=parties,
                    clauses=clauses,
                    visibility=pk.visibility,
                    framing=pk.framing,
                    verification=pk.verification,
                    modules=list(pk.modules),
                    linkage=pk.linkage,
                    expires_turn=turn + 1,
                    note=self._line("propose", view),
                )
                out.append(
                    Decision(
                        cmd,
                        f"tables its preferred package to {', '.join(partners)} "
                        f"(trust {min(trust):.0f} >= 30)",
                        "propose",
                    )
                )
        # a short line in the persona's voice
        if p.model.voice.open and self._roll(view, "talk") < p.model.statement_rate:
            partner = pk.partner[0] if pk and pk.partner else next(t for t in TEAMS if t != self.team)
            text = self._line("open", view)
            out.append(
                Decision(
                    SendMessage(channel=pair(self.team, partner), text=text),
                    f"speaks to {partner} in its persona's voice",
                    "message",
                )
            )
        return out

    def _line(self, kind: str, view: dict[str, Any]) -> str:
        lines = getattr(self.persona.model.voice, kind) or self.persona.model.voice.open or ["."]
        return str(lines[int(self._roll(view, f"line:{kind}") * len(lines)) % len(lines)])

    def _prop_names(self, prop: dict[str, Any]) -> dict[str, Any]:
        """The ``prop.*`` names a persona's rules may read about one proposal."""
        penv: dict[str, Any] = dict(_prop_defaults(self.rb))
        penv["prop.linkage"] = bool(prop.get("linkage"))
        penv["prop.public"] = prop["visibility"] == "public"
        penv["prop.trilateral"] = {"us", "mx", "ca"} <= set(prop["parties"])
        penv["prop.framing"] = prop.get("framing", "none")
        penv["prop.parties"] = len(prop["parties"])
        penv["prop.modules"] = len(prop.get("modules", []))
        for c in prop["clauses"]:
            key = "asks" if c["actor"] == self.team else "gives"
            penv[f"prop.{key}.{c['lever']}"] = True
        return penv

    def _answer(self, view: dict[str, Any], env: dict[str, Any], prop: dict[str, Any]) -> Decision:
        p = self.persona
        names = self._prop_names(prop)
        env.update(names)  # read by reject_if only, and taken out again below
        try:
            for rule in p.hard_rules:
                if rule.reject_if is not None and rule.reject_if.fn(env):
                    return Decision(
                        Respond(proposal=prop["id"], action="reject"), f"{rule.id}: {rule.reason}", "reject"
                    )
        finally:
            for k in names:
                env.pop(k, None)
        total = 0.0
        own_cost = 0.0
        public = prop["visibility"] == "public"
        for c in prop["clauses"]:
            lever = self.rb.levers[c["lever"]]
            cost = None
            if c["actor"] == self.team:
                try:
                    cost = float(lever.cost.fn({**env, **{f"param.{k}": v for k, v in c["params"].items()}}))
                except (KeyError, TypeError):
                    cost = 1.0
                if not (lever.once and env.get(f"count.{lever.id}", 0) >= 1):
                    own_cost += cost
            u, _ = self.order_utility(env, lever, c["params"], public, cost)
            total += u
        # a deal the team cannot pay for would be broken: commitments already due come first
        committed = self._committed_cost(view, env)
        pc = float(view["pc"][self.team])
        if own_cost + committed > pc:
            return Decision(
                Respond(proposal=prop["id"], action="reject"),
                f"rejects {prop['id']}: its clauses cost {own_cost:g} political capital on top of "
                f"{committed:g} already committed, with {pc:g} available",
                "reject",
            )
        if prop.get("modules"):
            total += p.tag_weights.get("trilateral", 0.0) + 0.2 * len(prop["modules"])
        proposer = prop["from"]
        trust = float(env.get(f"trust.{pair(self.team, proposer)}", 50))
        finger = float(env.get(f"flag.finger_{pair(self.team, proposer)}", 0) or 0)
        threshold = 0.25 * p.model.reservation + (60 - trust) / 40 + (0.5 if finger >= 2 else 0)
        if total >= threshold:
            return Decision(
                Respond(proposal=prop["id"], action="accept"),
                f"accepts {prop['id']}: utility {total:+.2f} >= threshold {threshold:.2f} "
                f"(reservation {p.model.reservation}, trust {trust:.0f})",
                "accept",
            )
        return Decision(
            Respond(proposal=prop["id"], action="reject"),
            f"rejects {prop['id']}: utility {total:+.2f} < threshold {threshold:.2f} "
            f"(reservation {p.model.reservation}, trust {trust:.0f})",
            "reject",
        )

    def _committed_cost(self, view: dict[str, Any], env: dict[str, Any]) -> float:
        """Political capital the team's signed deals will call for next turn."""
        total = 0.0
        nxt = view["turn"] + 1
        for a in view["agreements"]:
            if a["status"] not in ("signed", "active") or self.team not in a["parties"]:
                continue
            for c in a["clauses"]:
                start, dur = int(c["start_turn"]), max(int(c["duration"]), 1)
                if c["actor"] != self.team or not (start <= nxt <= start + dur - 1):
                    continue
                lever = self.rb.levers[c["lever"]]
                if lever.once and env.get(f"count.{lever.id}", 0) >= 1:
                    continue
                try:
                    total += float(
                        lever.cost.fn({**env, **{f"param.{k}": v for k, v in c["params"].items()}})
                    )
                except (KeyError, TypeError):
                    total += 1.0
        return total

    # ------------------------------------------------------------------ orders

    def _variants(self, lever: CLever, env: dict[str, Any]) -> list[dict[str, Any]]:
        """Parameter choices worth comparing: the defaults, each choice, and steps around a set level."""
        base = {k: p.default for k, p in lever.params.items()}
        out = [base]
        rkey = (id(self.rb), self.persona_id, lever.id)
        read = _READS.get(rkey)
        if read is None:
            read = set()
            for ce, _w, _per in self._weighted(lever)[0]:
                read |= ce.value.names
                if ce.when is not None:
                    read |= ce.when.names
                if ce.chance is not None:
                    read |= ce.chance.names
            _READS[rkey] = read
        for k, p in lever.params.items():
            if f"param.{k}" not in read:
                continue  # the persona cares about nothing this parameter changes: keep the default
            if p.type == "choice":
                out.extend({**base, k: c} for c in p.choices if c != p.default)
            elif p.type in ("int", "num") and p.min is not None and p.max is not None:
                target = next(
                    (
                        ce.target
                        for ce in lever.effects
                        if ce.op == "set" and ce.value.text.strip() == f"param.{k}"
                    ),
                    None,
                )
                # sizes (levels, packages) are compared at their extremes; set levels around the current one
                points = [p.max] if target is None else [p.min, p.max]
                if target is not None and isinstance(env.get(target), (int, float)):
                    cur = float(env[target])
                    points += [cur - 20, cur - 10, cur + 10, cur + 20]
                for v in points:
                    v = max(p.min, min(p.max, v))
                    v = round(v) if p.type == "int" else float(v)
                    if v != base[k]:
                        out.append({**base, k: v})
        seen: list[dict[str, Any]] = []
        for o in out:
            if o not in seen:
                seen.append(o)
        return seen[:8]

    def _legal(
        self, view: dict[str, Any], env: dict[str, Any], lever: CLever, params: dict[str, Any], public: bool
    ) -> float | None:
        """The order's cost if the bot can tell from its view that it is legal, else None."""
        entry = self._lever_entries(view).get(lever.id)
        if entry is None or not entry["available"]:
            return None
        defaults = {k: p.default for k, p in lever.params.items()}
        if params == defaults:
            return float(entry["cost"])
        names: set[str] = set(lever.cost.names)
        for cond, _ in lever.preconditions:
            names |= cond.names
        if not all(_exact(self.rb, n, self.team) for n in names):
            return None
        for k, v in params.items():
            env[f"param.{k}"] = v
        env["act.public"] = public
        try:
            if not all(cond.fn(env) for cond, _ in lever.preconditions):
                return None
            free = lever.id in view.get("free_levers", [])
            return 0.0 if free else max(0.0, float(lever.cost.fn(env)))
        finally:
            for k in params:
                env.pop(f"param.{k}", None)
            env.pop("act.public", None)

    def _lever_entries(self, view: dict[str, Any]) -> dict[str, dict[str, Any]]:
        cached: dict[str, dict[str, Any]] | None = view.get("_entries")
        if cached is None:
            cached = {e["id"]: e for e in view["levers"]}
            view["_entries"] = cached
        return cached

    def _orders(self, view: dict[str, Any], env: dict[str, Any]) -> list[Decision]:
        p = self.persona
        rb = self.rb
        team = self.team
        pc = float(view["pc"][team])
        limit = int(view["order_limit"])
        never = set(p.never)
        chosen: list[tuple[Order, float, str]] = []
        notes: list[Decision] = []
        statement: StatementOrder | None = None
        used: set[str] = set()

        seat_limits: dict[str, int] = dict(view.get("seat_limits", {}))
        per_seat: dict[str, int] = {}

        def take(lid: str, params: dict[str, Any], vis: str | None, why: str) -> bool:
            nonlocal pc
            lever = rb.levers[lid]
            if lid in used or len(chosen) >= limit:
                return False
            seat = self._lever_entries(view)[lid]["seat"]
            if per_seat.get(seat, 0) >= seat_limits.get(seat, limit):
                return False
            visibility = vis or ("public" if lever.visibility in ("public", "choice") else lever.visibility)
            if lever.visibility != "choice":
                visibility = lever.visibility
            cost = self._legal(view, env, lever, params, visibility == "public")
            if cost is None or cost > pc + 1e-9:
                return False
            # built without re-validation: the bot assembles it from the rulebook's own names and ranges
            chosen.append((Order.model_construct(lever=lid, params=params, visibility=visibility), cost, why))
            per_seat[seat] = per_seat.get(seat, 0) + 1
            used.add(lid)
            pc -= cost
            return True

        # 1. hard rules: bans, forced plays and statements
        plays: list[tuple[str, Any]] = []
        for i, rule in enumerate(p.hard_rules):
            if rule.reject_if is not None:
                continue
            if not self._holds(rule.when, rule.chance, env, view, f"rule{i}"):
                continue
            never |= set(rule.never)
            if rule.play is not None:
                plays.append((rule.id, rule))
            if rule.statement is not None and statement is None:
                statement = StatementOrder(
                    kind=rule.statement.kind,
                    target=rule.statement.target,
                    text=rule.message or self._line("open", view),
                )
                notes.append(
                    Decision(
                        Note(
                            text=f"statement {rule.statement.kind} -> {rule.statement.target}: "
                            f"{rule.id}: {rule.reason}",
                            decision="statement",
                        ),
                        rule.reason,
                        "statement",
                    )
                )
        # 2. commitments due this turn (honoured unless the persona reneges on a clause it dislikes)
        for a in view["agreements"]:
            if a["status"] not in ("signed", "active") or team not in a["parties"]:
                continue
            for ci, c in enumerate(a["clauses"]):
                start, dur = int(c["start_turn"]), max(int(c["duration"]), 1)
                if c["actor"] != team or not (start <= view["turn"] <= start + dur - 1):
                    continue
                lever = rb.levers[c["lever"]]
                u, _ = self.order_utility(env, lever, c["params"], a["visibility"] == "public", None)
                if u < 0 and self._roll(view, f"renege:{a['id']}:{ci}") < p.model.renege_prob:
                    notes.append(
                        Decision(
                            Note(
                                text=f"breaks clause {ci + 1} of {a['id']} ({lever.code}): "
                                f"own utility {u:+.2f}, renege chance {p.model.renege_prob}",
                                decision="renege",
                            ),
                            "renege",
                            "renege",
                        )
                    )
                    never.add(c["lever"])
                    continue
                if c["lever"] not in never:
                    take(
                        c["lever"],
                        dict(c["params"]),
                        a["visibility"],
                        f"honours clause {ci + 1} of {a['id']}",
                    )
        for rid, rule in plays:
            plan = rule.play
            if plan.lever in never and plan.lever not in used:
                continue
            lever = rb.levers[plan.lever]
            params = {k: prm.default for k, prm in lever.params.items()}
            params.update(plan.params)
            take(plan.lever, params, plan.visibility, f"{rid}: {rule.reason}")
        # 3. the rest by utility
        scored: list[tuple[float, str, dict[str, Any], str, float]] = []
        for lid, lever in rb.levers.items():
            if lever.team != team or lid in never or lid in used:
                continue
            if "hrl" in lever.tags or "consent_bounded" in lever.tags:
                continue  # only a hard rule or a signed deal puts forces across the line
            entry = self._lever_entries(view).get(lid)
            if entry is None or not entry["available"]:
                continue
            weighted, st_w, tag_w = self._weighted(lever)
            if not weighted and tag_w <= 0 and not (st_w and (lever.sov_public or lever.sov_private)):
                continue  # nothing in it this persona values: its utility could only be its cost
            best: tuple[float, dict[str, Any], str, float] | None = None
            for params in self._variants(lever, env):
                for vis in _visibilities(lever):
                    cost = self._legal(view, env, lever, params, vis == "public")
                    if cost is None:
                        continue
                    u, _ = self.order_utility(env, lever, params, vis == "public", cost)
                    if best is None or u > best[0]:
                        best = (u, params, vis, cost)
            if best is not None and best[0] > 0.05:
                scored.append((best[0], lid, best[1], best[2], best[3]))
        scored.sort(key=lambda s: (-s[0], s[1]))
        for u, lid, params, vis, cost in scored:
            if len(chosen) >= limit:
                break
            _, why = self.order_utility(env, rb.levers[lid], params, vis == "public", cost, explain=True)
            take(lid, params, vis, f"utility {u:+.2f} ({', '.join(why)})")
        if statement is None and self._roll(view, "statement") < p.model.statement_rate:
            partners = [t for t in TEAMS if t != team]
            best_t = max(partners, key=lambda t: (env.get(f"trust.{pair(team, t)}", 0), -TEAMS.index(t)))
            if env.get(f"trust.{pair(team, best_t)}", 0) >= 50:
                statement = StatementOrder(kind="praise", target=best_t, text=self._line("accept", view))
                notes.append(
                    Decision(
                        Note(text=f"praises {best_t}, its most trusted partner", decision="statement"),
                        "praise",
                        "statement",
                    )
                )
        cmd = SubmitOrders.model_construct(orders=[o for o, _, _ in chosen], statement=statement)
        reasons = (
            "; ".join(f"{rb.levers[o.lever].code}: {why}" for o, _, why in chosen)
            or "no order worth its cost"
        )
        return [*notes, Decision(cmd, reasons, "orders")]


# ---------------------------------------------------------------------- driving bots in a game


class BotDriver:
    """Plays the listed teams with bots. The game is read only through ``views.view``."""

    def __init__(self, rb: Rulebook, personas: dict[str, str], seed: int) -> None:
        self.bots = {t: Bot(rb, t, pid, seed) for t, pid in personas.items()}

    def __call__(self, game: Game, phase: str) -> Iterator[CommandEnvelope]:
        from .views import view

        for team in TEAMS:
            bot = self.bots.get(team)
            if bot is None:
                continue
            v = view(game, team)
            v["phase"] = phase
            for d in bot.decide(v):
                actor = Actor.model_construct(role="bot", team=team, seat=None, name=f"bot:{bot.persona_id}")
                if not isinstance(d.command, Note):
                    note = Note.model_construct(text=d.reason[:1000], decision=d.decision)
                    yield CommandEnvelope.model_construct(actor=actor, command=note)
                yield CommandEnvelope.model_construct(actor=actor, command=d.command)
