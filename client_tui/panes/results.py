"""The results tab: a why card for every outcome, under a heading per turn, read as words: a rule by its
name, an order by its lever's name and code, an inject without the blank lines of its card. A line
too long for the tab wraps under its own text (a hanging indent), so the cards stay apart at 80
columns."""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.segment import Segment
from textual.strip import Strip

from precursor.game.schema import STEPS

from .. import render, terms
from ..conditions import condition_words
from ..model import RESULT_TYPES, carried_out
from ..widgets import WrapLog

if TYPE_CHECKING:
    from precursor.game.rulebook import Rulebook

# the bracketed word that opens a card: what kind of outcome it is, in words
TAGS = {
    "effect": "rule",
    "order_executed": "order",
    "order_failed": "order failed",
    "statement": "statement",
    "election": "election",
    "compliance": "agreement kept or broken",
    "agreement": "agreement",
    "review": "review",
    "token": "token",
    "fact": "fact",
}
TURN_HEAD = "══ turn "  # each turn's heading starts so; the tab opens at the last one
PRIVATE = "(a private free action)"  # its title, until the outcome names it
# the steps that run once the turn's months begin: a lagged effect lands at the start of a month, so the
# cards of these rules show values that already hold it
LATE_STEPS = frozenset(STEPS[STEPS.index("flow") :])
HANG = 2  # a wrapped line goes on this much further in than the line it continues


def _lever(rb: Rulebook | None, lever: str) -> str:
    return rb.levers[lever].code if rb is not None and lever in rb.levers else lever


def _head(ev: dict[str, Any], rb: Rulebook | None) -> str | None:
    """The card's first line in words, or None to keep the one render.why_card wrote."""
    t = ev["type"]
    team = terms.team_name(rb, str(ev["team"])) if ev.get("team") else ""
    if t == "order_executed":
        lever = str(ev.get("lever") or "")
        name = ev.get("name") or (rb.levers[lever].name if rb is not None and lever in rb.levers else lever)
        params = terms.params_words(rb, lever, dict(ev.get("params") or {})) if rb is not None else ""
        with_params = f" ({params})" if params else ""
        return f"[order] {team} {name} ({_lever(rb, lever)}){with_params}".replace("  ", " ")
    if t == "compliance":  # a clause of an agreement, kept or not this turn
        verdict = "clause kept" if ev.get("met") else "clause broken"
        return f"[{verdict}] {_clause_verdict(ev, rb, team)}".rstrip()
    if t == "order_failed":
        # the engine's reason opens with the code ("CN-SUMMIT: no leaders' summit this turn …"): a student
        # read "[order failed] China CN-SUMMIT:" and nothing after it, the card reading a field never set
        code = _lever(rb, str(ev.get("lever") or ""))
        why = str(ev.get("why") or ev.get("reason") or "")
        why = why[len(code) + 1 :].lstrip() if why.startswith(f"{code}:") else why
        return f"[order failed] {team} {code}: {why or 'no reason given'}"
    if t == "proposal_response":
        return f"[answer] {ev.get('proposal', '?')}: {ev.get('reason', '')}"
    if t not in TAGS or t in ("compliance", "agreement"):
        return None
    rule = ev.get("rule")
    if t == "statement" and ev.get("kind"):  # who said what to whom, then what the rules make of it
        said = terms.statement_words(rb, str(ev.get("team") or ""), ev)
        return f"[statement] {said}" + (f" — {ev['reason']}" if ev.get("reason") else "")
    if isinstance(rule, str) and rule:
        what = render.rule_name(rb, rule)
    else:
        return None
    reason = render.gloss(rb, str(ev.get("reason") or ev.get("title") or ev.get("text") or ""))
    if reason.lower().startswith(what.lower() + ":"):  # the reason names the rule already
        reason = reason[len(what) + 1 :].lstrip()
    return f"[{TAGS[t]}] {what}" + (f": {reason}" if reason else "")


def _clause_verdict(ev: dict[str, Any], rb: Rulebook | None, team: str) -> str:
    """A clause kept or broken, told from the event's fields: the team by its name and the lever by its
    code with its name beside it, since the engine's sentence ("CA played CA-ISSL as agreed") gives a
    student two codes and nothing to read."""
    lever = str(ev.get("lever") or "")
    if rb is None or not team or lever not in rb.levers:
        return render.gloss(rb, str(ev.get("reason") or ""))
    lv = rb.levers[lever]
    where = f" in {ev['agreement']}" if ev.get("agreement") else ""
    if ev.get("earlier"):  # nothing was played this turn: "played … as agreed" read as a new act
        return (
            f"{team} carried out {lv.code} ({lv.name}) in an earlier turn; it can be done once per game,"
            f" so the clause{where} counts as kept"
        )
    if ev.get("held"):  # nothing was ordered: "played" read as an act the student never gave
        return (
            f"{team} gave no order of {lv.code} ({lv.name}): what it sets already stood where the deal"
            f" asks, so the clause{where} counts as kept"
        )
    if not ev.get("met"):
        # the engine says how an order of the lever fell short ("MX played MX-ME at enforcement level
        # 60, short of the 70 agreed in …"; "… on goods of Canada instead of Mexico …"): "did not play"
        # would deny an order the student gave
        short = re.match(rf"\S+ played {re.escape(lv.code)} (.+) agreed in ", str(ev.get("reason") or ""))
        if short:
            return f"{team} played {lv.code} ({lv.name}) {short[1]} agreed{where}"
    did = "played" if ev.get("met") else "did not play"
    text = f"{team} {did} {lv.code} ({lv.name}) as agreed{where}"
    if not ev.get("met") and lv.holds is not None:
        text += ", and what it sets does not stand where the deal asks"
    return text


def free_action_card(ev: dict[str, Any], rb: Rulebook | None, title: str, argument: str = "") -> str:
    """A free action's outcome in words: whose, its title, who ruled and how likely, the draw, whether
    it worked, the values by name before → after, the argument and the ruling's reason in words (the
    engine's reason repeats the head and speaks of a "white cell score")."""
    from ..white_cell import resolution_words, ruling_words

    team = terms.team_name(rb, str(ev["team"])) if ev.get("team") else ""
    said = str(ev.get("reason") or "")
    named = re.search(r'free action "(.*?)" (?:succeeds|fails): ', said)
    if named and title in ("", str(ev.get("free_action") or ""), PRIVATE):  # a private one, now known
        title = named[1]
    lines = [f"[free action] {team} {title}: " + (resolution_words(rb, ev) if rb is not None else "")]
    nums = render.changes_text(ev, rb)
    # a value the team sees only as an estimate moves without its number: named, so "it worked" is
    # not read against a card that shows only the capital it cost
    hidden = [render.key_name(rb, str(k)) for k in ev.get("unreported") or []]
    if hidden:
        nums.append("also moved (not reported to you exactly): " + ", ".join(hidden))
    lines.append("    " + ("; ".join(nums) if nums else "nothing changed"))
    if not argument:  # the engine quotes it in its reason: 'Argued: "…" Ruling: …'
        found = re.search(r'Argued: "(.*)" Ruling: ', said)
        argument = found[1] if found else ""
    ruling = ruling_words(ev)
    if argument:
        lines.append(f"    argued: {argument}")
    if ruling:
        lines.append(f"    the ruling: {ruling}")
    elif ev.get("reason"):
        lines.append(f"    why: {ev['reason']}")
    return "\n".join(lines)


def result_text(
    ev: dict[str, Any],
    rb: Rulebook | None,
    titles: dict[str, dict[str, Any]] | None = None,
    seen: dict[str, Any] | None = None,
    agreements: dict[str, dict[str, Any]] | None = None,
) -> str:
    """An outcome's card for the results tab: the why card with its head in words and no blank lines
    (the cards of a turn follow one another, order → rule → what it moved, each kept together)."""
    t = ev["type"]
    if t == "free_action_resolved":
        fa = (titles or {}).get(str(ev.get("free_action", ""))) or {}
        title = str(fa.get("title") or ev.get("title") or PRIVATE)
        return free_action_card(ev, rb, title, str(fa.get("argument") or ""))
    # a record with someone on it: a leaked private deal comes again whole, with its empty record
    if t == "agreement_update" and (ev.get("update") or {}).get("reneged"):
        return reneged_words(ev, rb, (agreements or {}).get(str(ev.get("agreement") or "")))
    if t == "agreement_update" and "honoured" in (ev.get("update") or {}):
        honoured = _honoured_words(ev, rb, (agreements or {}).get(str(ev.get("agreement") or "")))
        if honoured:
            return honoured
    if t == "inject":
        head, _, body = render.inject_card(ev, rb).partition("\n")
        lines = [head.replace("INJECT · ", "[inject] ", 1)] + ["    " + b for b in body.split("\n")]
    else:
        card = render.why_card(ev, rb, seen)
        lines = card.split("\n")
        words = _head(ev, rb)
        if words is not None and t == "compliance":
            words += _condition_held(ev, rb, agreements)
        if words is not None and lines:
            lines[0] = words
    return "\n".join(line for line in lines if line.strip())


def _condition_held(
    ev: dict[str, Any], rb: Rulebook | None, agreements: dict[str, dict[str, Any]] | None
) -> str:
    """A clause under a condition is checked only in a turn its condition holds (the compliance step
    skips it otherwise), so a verdict on one says the condition held: student h22's Mexico read
    "[clause broken] Mexico did not play MX-PORT" with no word of the "[if … below 95]" it had left
    MX-PORT out for, its estimate reading 100."""
    agreement = (agreements or {}).get(str(ev.get("agreement") or "")) or {}
    clauses = agreement.get("clauses") or []
    index = ev.get("clause")
    if rb is None or not isinstance(index, int) or not 0 <= index < len(clauses):
        return ""
    cond = str(clauses[index].get("condition") or "")
    if not cond:
        return ""
    return (
        f" — it was due: its condition, {condition_words(rb, cond)}, held at the turn's end (the true value)"
    )


def reneged_words(ev: dict[str, Any], rb: Rulebook | None, agreement: dict[str, Any] | None) -> str:
    """A party newly on an agreement's record as having reneged. The engine appends the team to the
    list it had, so the last one is the news. A self-verified deal tells each clause only to the team
    that owes it, so the partner who reads "Mexico reneged" has no "[clause broken]" card to explain
    it: the line says what the partner is told, and what not."""
    teams = [str(t) for t in (ev.get("update") or {}).get("reneged") or []]
    who = terms.team_name(rb, teams[-1]) if teams else "a party"
    where = ev.get("agreement", "?")
    line = f"[agreement] {where}: {who} broke a promise in it"
    if agreement is not None and agreement.get("verification") == "self":
        line += (
            f" (the deal is self-verified: {who} reports it; which clause and when is told to {who}"
            " only). A broken promise costs trust between the partners"
        )
    return line


def _honoured_words(ev: dict[str, Any], rb: Rulebook | None, agreement: dict[str, Any] | None) -> str:
    """A self-verified deal completed: "honoured by United States and Mexico" read as a record of the
    partner's clause, which only the partner was told of ("" for any other deal: its words stand)."""
    if agreement is None or not render.self_checked(agreement):
        return ""
    update = ev.get("update") or {}
    honoured = [str(t) for t in update.get("honoured") or []]
    others = [str(t) for t in agreement.get("parties") or [] if str(t) not in honoured]
    head = f"[agreement] {ev.get('agreement', '?')}: now {update.get('status', 'completed')}"
    said = f"; no broken promise reported by {render.team_list(honoured)}" if honoured else ""
    broke = f"; broken by {render.team_list(others)}" if others else ""
    return f"{head}{said}{broke} (self-verified: each party checks its own clauses and is told of them alone)"


class ResultsLog(WrapLog):
    def __init__(self, rb: Rulebook | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id, max_lines=5000)
        self.rb = rb
        self._seq = 0  # the last event whose why card is in the log
        self._turn = 0  # the turn whose heading is the last in the log
        self._seen: dict[str, Any] = {}  # the values this turn's cards have shown, by key
        # the keys whose last card this turn ran after the turn's months (a later step's rule): its
        # "after" already holds the lagged effects that landed in them
        self._late: set[str] = set()
        # (team, lever) of this turn's private orders a deal's check told of: their effects are not shown
        self._private: list[tuple[str, str]] = []
        self._open_at_turn = False  # the tab was opened: show the latest turn from its heading
        self._steps: dict[str, str] | None = None  # each rule's adjudication step, read once
        # the free actions as tabled (the screen's model sets it): their titles, for the outcome's card
        self.free_actions: dict[str, dict[str, Any]] = {}
        # the agreements signed, as their events told them: how each is verified, for its later lines
        self.agreements: dict[str, dict[str, Any]] = {}
        self.team: str | None = None  # the seat's team (the screen sets it): its orders' delayed effects
        self._orders_month: dict[int, int] = {}  # each turn's orders month (year * 12 + month)
        # this team's lagged effects not landed yet: (the month they land in, the order's code and
        # turn, the effect)
        self._later: list[tuple[int, str, int, dict[str, Any]]] = []
        self._reneged: dict[tuple[str, str], int] = {}  # (agreement, team): the turn it was reported
        # (team, lever) seen carried out, by turn: an order in the log, or a clause it kept in a deal
        # this team may see — the same act due in a self-verified deal is then no secret
        self._acts: dict[int, set[tuple[str, str]]] = {}
        self._orders: dict[int, set[tuple[str, str]]] = {}  # (team, lever) of the orders in the log, by turn

    def open_at_latest_turn(self) -> None:
        """Scroll to the last "══ turn N ══" heading, once the lines are laid out at the tab's width
        (the first time the tab is shown they are wrapped on its first resize, which scrolls to the
        end: ``_rewrap`` then comes back here)."""
        self._open_at_turn = True
        self.call_after_refresh(self._to_latest_turn)

    def _to_latest_turn(self) -> None:
        width = self.scrollable_content_region.width
        if width > 0 and width != self._wrapped_at:  # shown, but its first resize found no width yet
            self._rewrap(width)  # comes back here once laid out
            return
        at = next(
            (i for i in range(len(self.lines) - 1, -1, -1) if self.lines[i].text.startswith(TURN_HEAD)),
            None,
        )
        if at is None or not self._wrapped_at:
            return
        self._open_at_turn = False
        self.scroll_to(y=at, animate=False, immediate=True)

    def _rewrap(self, width: int) -> None:
        super()._rewrap(width)
        if self._open_at_turn:
            self.call_after_refresh(self._to_latest_turn)

    def add(self, seq: int, ev: dict[str, Any]) -> None:
        """Write the card of an outcome not yet shown (the server replays events after a resume)."""
        t = ev["type"]
        if t == "phase":
            if seq > self._seq:
                self._seq = seq
                self._phase(ev)
            return
        answered = t == "proposal_response" and bool(ev.get("reason"))  # a deal turned down, and why
        if not (t in RESULT_TYPES or answered) or seq <= self._seq:
            return
        self._seq = seq
        # the three-month review (it carries "badge") reports its comparison even when it moves nothing:
        # the tutorial's inject promises it, and "nothing moved" is the lesson of lagged figures
        quiet = "changes" in ev and not ev["changes"] and not ev.get("unreported") and "badge" not in ev
        if t == "effect" and quiet:
            return  # a rule that moved only values this team may not see: nothing to read here
        turn = ev.get("turn")
        if isinstance(turn, int) and turn > self._turn:
            # the months between turns move values no card shows
            self._seen, self._late, self._private = {}, set(), []
        if t == "agreement" and isinstance(ev.get("agreement"), dict):
            self.agreements[str(ev["agreement"].get("id"))] = ev["agreement"]
        carried = carried_out(ev)
        act = (str(ev.get("team")), str(ev.get("lever")))
        private = (
            t == "compliance"
            and carried is not None
            and act[0] != self.team
            and act not in self._orders.get(carried[2], set())
        )
        if carried is not None:
            self._acts.setdefault(carried[2], set()).add(act)
        if t == "order_executed" and isinstance(turn, int):
            self._orders.setdefault(turn, set()).add(act)
        for team in (ev.get("update") or {}).get("reneged") or [] if t == "agreement_update" else []:
            self._reneged.setdefault((str(ev.get("agreement")), str(team)), int(turn or self._turn))
        if t == "order_executed" and self.team and ev.get("team") != self.team and ev.get("scheduled"):
            # another team's public order: what it schedules is that team's to know (its amounts can
            # read that team's own record), the effects are said when they show on the dashboard
            ev = {**ev, "scheduled": []}
        try:
            card = result_text(ev, self.rb, self.free_actions, self._seen, self.agreements)
        except Exception as exc:  # a shape the card does not know must not take the client down
            card = f"[{t}] (cannot show this outcome: {type(exc).__name__})"
        self._seen.update(ev.get("changes") or {})  # an inject's, a free action's too
        late = self._after_months(ev)
        for k in ev.get("changes") or {}:
            (self._late.add if late else self._late.discard)(k)
        if isinstance(turn, int) and turn > self._turn:
            self._turn = turn
            self.write(f"{TURN_HEAD}{turn} ══")
        if private:
            self._private.append(act)
        if t == "order_executed" and (self.team is None or ev.get("team") == self.team):
            waited = render.unmet_effects(self.rb, ev)
            head, nl, rest = card.partition("\n    sources:")
            card = f"{head}\n    {waited}{nl}{rest}" if waited else card
        if private and card.strip():
            # a student read "United States played US-ARMS as agreed" and found no US-ARMS in the public
            # orders: the order was private, and the deal's check is what tells of it
            head, nl, rest = card.partition("\n")
            card = (
                head
                + " (a private order, not in the public orders: the deal's check tells you of it)"
                + nl
                + rest
            )
        if card.strip():
            self.write(card)
        if t == "order_executed" and ev.get("team") == self.team and self.team:
            self._schedule(ev)

    def _after_months(self, ev: dict[str, Any]) -> bool:
        """Whether the event's rule runs in a step after the turn's months begin (the monthly flow
        rules, politics, compliance, review, injects — ``precursor.game.schema.STEPS``). Only a periodic
        rule runs by its step; a mechanism's card comes wherever the engine acts (a module coming into
        force, among the orders), and its step is the default one: student j23 read CN-PEN's landed +5 as
        "[other changes]" after the modules' card had been taken for a late one."""
        if self.rb is None or not ev.get("rule"):
            return False
        if self._steps is None:
            self._steps = {r.id: r.step for r in self.rb.rules if r.kind == "periodic"}
        return self._steps.get(str(ev["rule"])) in LATE_STEPS

    def _schedule(self, ev: dict[str, Any]) -> None:
        """Keep this team's order's lagged effects, to say each in the turn it lands: the engine tells
        the facilitator alone when they do, and a student saw China's reputation go 50 → 53 → 56 with
        no line saying why (CN-PEN, ordered two turns before)."""
        turn = ev.get("turn")
        ordered = self._orders_month.get(turn) if isinstance(turn, int) else None
        if ordered is None or not isinstance(turn, int):
            return
        code = str(ev.get("code") or ev.get("lever") or "?")
        for q in ev.get("scheduled") or []:
            lag = render.scheduled_lag(q) if isinstance(q, dict) else None
            if lag is not None:
                self._later.append((ordered + lag, code, turn, q))

    def _phase(self, ev: dict[str, Any]) -> None:
        """A phase began: an orders phase fixes the month the turn's orders are carried out in; a
        results phase comes after the turn's months, so the lagged effects due in them have landed."""
        month = _month_number(ev.get("date"))
        turn = ev.get("turn")
        if month is None or not isinstance(turn, int):
            return
        if ev.get("phase") == "orders":
            self._orders_month[turn] = month
        elif ev.get("phase") == "results":
            self._land(turn, month)
            self._partners_due(turn)

    def _partners_due(self, turn: int) -> None:
        """A partner's clause due this turn in a self-verified deal: its result is told to the partner
        alone, so the log had no line for it and the deal then read "honoured by United States and
        Mexico" (session 15's student A looked for the US's US-ARMS and found nothing). Said once the
        turn's results are in: whether the partner reports a broken promise."""
        for aid, a in self.agreements.items():
            if not self.team or self.team not in (a.get("parties") or []) or not render.self_checked(a):
                continue
            for c in a.get("clauses") or []:
                actor = str(c.get("actor"))
                if actor == self.team or not _due(c, turn):
                    continue
                who, code = render.team_name(self.rb, actor), render._code(self.rb, str(c.get("lever")))
                cond = ""
                if c.get("condition") and self.rb is not None:
                    cond = f" if {terms.condition_words(self.rb, str(c['condition']))} held"
                broke = self._reneged.get((aid, actor)) == turn
                said = "it reports a broken promise" if broke else "no broken promise is reported"
                if not broke and (actor, str(c.get("lever"))) in self._acts.get(turn, set()):
                    # a student read CA-BORDER "kept" in one deal and "told to Canada alone" in the
                    # next, for the same act: say what the log shows, and what only the partner knows
                    said += f"; the log above shows {who} carrying out {code} this turn"
                self.write(
                    f"[agreement] {aid}: {who}'s {code} was due this turn{cond}; the deal is self-verified,"
                    f" so whether it was kept is told to {who} alone — {said}"
                )

    def _land(self, turn: int, month: int) -> None:
        landed = [x for x in self._later if x[0] < month]
        if not landed:
            return
        self._later = [x for x in self._later if x[0] >= month]
        if turn > self._turn:
            self._turn, self._seen = turn, {}
            self.write(f"{TURN_HEAD}{turn} ══")
        by_order: dict[tuple[str, int], list[str]] = {}
        for _, code, ordered, q in landed:
            by_order.setdefault((code, ordered), []).append(render.scheduled_words(self.rb, q, when=False))
        for (code, ordered), words in by_order.items():
            self.write(
                f"[delayed effect] {code}, ordered in turn {ordered}, takes effect: {'; '.join(words)}"
            )
        for *_, q in landed:
            self._explain(q)

    def _explain(self, entry: dict[str, Any]) -> None:
        """Move the value a landed effect names as the line above says, so ``settle`` does not list that
        move again under "[other changes]" as unexplained (a student read "[delayed effect] CN-DIRECTIVE
        … raises trust between the US and China by 3" followed by "moved for reasons not shown to you:
        Trust between the US and China 21.0 → 24.0"). Kept inside the value's range, as the engine keeps
        it; what moved it beyond that is still said.

        A value whose last card came from a rule run after the months already holds the effect (h22
        read "[rule] Opposition hearings … hawk pressure 87.0 → 89.0", MX-PLAN(i)'s "-2" landed before
        it, and then the same 87.0 → 89.0 under "[other changes]"): it is left as that card said."""
        target, op, v = str(entry.get("target") or ""), entry.get("op"), entry.get("value")
        if target in self._late:
            return
        last = self._seen.get(target)
        numbers = [x for x in (last, v) if isinstance(x, int | float) and not isinstance(x, bool)]
        if len(numbers) < 2:
            if target in self._seen and op not in ("add", "mul", "min", "max"):
                self._seen[target] = v  # a yes/no value set, or a number set outright
            return
        now, by = float(numbers[0]), float(numbers[1])
        moves = {"add": now + by, "mul": now * by, "min": min(now, by), "max": max(now, by)}
        moved = moves.get(str(op), by)
        ind = self.rb.indicators.get(target) if self.rb is not None else None
        lo, hi = getattr(ind, "min", None), getattr(ind, "max", None)
        if isinstance(lo, int | float):
            moved = max(moved, float(lo))
        if isinstance(hi, int | float):
            moved = min(moved, float(hi))
        self._seen[target] = moved

    def settle(self, shown: dict[str, float | bool]) -> None:
        """After a turn's cards, the values the dashboard now shows that moved after the last card of
        them, by changes not shown to this team (a delayed effect of another team's order): a student
        read "Trust between the US and China 10.0 → 8.0" last in the log and 11.0 on the dashboard."""
        lines = []
        for k, last in list(self._seen.items()):
            now = shown.get(k)
            if now is None or k.startswith(render._COUNTERS):
                continue
            pair = render._pair(last, now, render._unit(self.rb, k))
            self._seen[k] = now
            if pair is not None:
                unit = render.unit_words(render._unit(self.rb, k))
                lines.append(f"{render.key_name(self.rb, k)} {pair[0]} → {pair[1]}{unit}{self._maybe(k)}")
        if lines:
            self.write(
                # "[not shown to you]" followed by the values read as a contradiction: the values are
                # shown, what moved them is not
                "[other changes] after the lines above, these values moved for reasons not shown to"
                " you (the dashboard shows where they are now): " + "; ".join(lines)
            )

    def _maybe(self, key: str) -> str:
        """A private order told of above whose effects name the value: a likely cause of its move (h22
        read "[clause kept] Mexico played MX-DELEG … as agreed", a private order, then "Trust between the
        US and Mexico 45.0 → 50.0" among the moves "for reasons not shown to you")."""
        if self.rb is None:
            return ""
        causes = []
        for team, lever in self._private:
            lv = self.rb.levers.get(lever)
            if lv is not None and any(e.target == key for e in lv.effects):
                causes.append(f"{render.team_name(self.rb, team)}'s private {render._code(self.rb, lever)}")
        return f" (likely among its causes: {', '.join(causes)}, told of above)" if causes else ""

    def _wrap(self, lines: list[str], width: int) -> list[Strip]:
        """Each line wrapped to the width, its continuation lines set in under its own text: a card's
        head continues two columns in, a detail line (four in) six in, so a wrapped line never reads as
        the start of the next card."""
        strips: list[Strip] = []
        for text in lines:
            n = cell_len(text)
            if n <= width:
                strips.append(Strip([Segment(text)], n))
                continue
            body = text.lstrip(" ")
            lead = len(text) - len(body)
            hang = lead + HANG if width - lead - HANG >= 20 else 0  # too narrow for an indent: none
            parts = textwrap.wrap(
                body,
                width=max(1, width),
                initial_indent=" " * lead if width - lead >= 20 else "",
                subsequent_indent=" " * hang,
                break_on_hyphens=False,
            ) or [""]
            if any(cell_len(part) > width for part in parts):  # wide characters: Rich counts cells
                strips += super()._wrap([text], width)
                continue
            strips += [Strip([Segment(part)], cell_len(part)) for part in parts]
        return strips


def _month_number(date: Any) -> int | None:
    """A phase's date ("2027-04-01") as a count of months, to tell which lagged effects have landed."""
    m = re.match(r"(\d{4})-(\d{2})", str(date or ""))
    return int(m.group(1)) * 12 + int(m.group(2)) - 1 if m else None


def _due(clause: dict[str, Any], turn: int) -> bool:
    """Whether a clause is due in ``turn``: from its start for its duration (one turn at least)."""
    start = int(clause.get("start_turn") or 0)
    return start <= turn <= start + max(int(clause.get("duration") or 0), 1) - 1
