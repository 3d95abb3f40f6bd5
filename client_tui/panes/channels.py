"""The channels tab: the channel list with unread counts, the active channel's messages, the composer.

Drawing is batched: a channel's history goes to the log in one write, live messages are queued and
written on the pane's next turn, and the list is rebuilt only when the set of channels changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, ListItem, ListView

from precursor.game.commands import SendMessage

from .. import render, terms
from ..notice import refused
from ..widgets import TextField, WrapLog

if TYPE_CHECKING:
    from ..model import LiveGame

SHOWN_MESSAGES = 20_000  # the newest messages of a channel drawn in its log (the log keeps as many lines)


def message_line(msg: dict[str, Any]) -> str:
    person = render.person_name(msg.get("name"))  # a computer player by that word, never its persona key
    team = render.team_name(None, str(msg["team"])) if msg.get("team") else "control"
    who = f"{team} ({person})" if person else team
    return f"T{msg.get('turn', '?')} {who}: {msg.get('text', '')}"


def statement_line(ev: dict[str, Any]) -> str:
    """A public statement as the press reports it: ``T2 Mexico praises China: “…”``."""
    return f"T{ev.get('turn', '?')} {terms.statement_words(None, str(ev.get('team', '')), ev)}"


def press_lines(messages: list[dict[str, Any]], log: list[dict[str, Any]]) -> list[str]:
    """The press channel: what was written in it and every public statement the client has received,
    turn by turn (a turn's statements come with its orders, after its messages). A student found the
    channel empty while every team spoke in public each turn: the statements were only in Results."""
    said = [ev for ev in log if ev.get("type") == "statement"]
    rows = [(int(m.get("turn") or 0), 0, message_line(m)) for m in messages]
    rows += [(int(ev.get("turn") or 0), 1, statement_line(ev)) for ev in said]
    return [line for _turn, _order, line in sorted(rows, key=lambda r: (r[0], r[1]))]


class MessageLog(WrapLog):
    """The channel's messages. shift+tab from the composer skips it for the channel list, as the
    composer's placeholder says: it stopped here, where Down scrolled and Enter did nothing, and a
    student's message meant for one government went to the team channel. Tab from the list still
    reaches it, to scroll it by keys (the page keys scroll it from the composer too)."""

    def allow_focus(self) -> bool:
        focused = self.screen.focused if self.is_attached else None
        return not (isinstance(focused, Input) and focused.id == "composer")


class ChannelsPane(Horizontal):
    class Say(Message):
        """The user sent what they wrote; the composer keeps it until ``sent``."""

        def __init__(self, pane: ChannelsPane, command: SendMessage) -> None:
            super().__init__()
            self.pane, self.command = pane, command

    def __init__(self, model: LiveGame) -> None:
        super().__init__()
        self.model = model
        self._chan_ids: list[str] = []  # the channel list's items, in order
        self._rebuild_pending = False
        self._labels: dict[str, str] = {}  # text last drawn per channel, to skip unchanged updates
        self._pending_lines: list[str] = []  # live messages not yet written to the log
        self._flush_pending = False
        self._reshow_pending = False

    def compose(self) -> ComposeResult:
        yield ListView(id="chan-list")
        with Vertical():
            yield MessageLog(id="messages", max_lines=SHOWN_MESSAGES)
            yield TextField(
                # cut at 120 columns beside the channel list ("Esc: leav", student g19): the keys first
                placeholder="write here: Enter sends · shift+tab: the channel list · Esc: leave",
                id="composer",
            )

    @property
    def channel_ids(self) -> list[str]:
        """The channels as the list shows them, top to bottom."""
        return self._chan_ids

    # ------------------------------------------------------------------ the list

    def show(self, full: bool = False) -> None:
        """Update the channel list's labels (unread counts); rebuild it only when the channels change."""
        lv = self.query_one("#chan-list", ListView)
        chans = self.model.view.get("channels", [])
        if [c["id"] for c in chans] != self._chan_ids or len(lv.children) != len(chans):
            if not self._rebuild_pending:
                self._rebuild_pending = True
                self.call_later(self._rebuild)
        else:
            for c in chans:
                self.show_label(c["id"])
        if full:
            self.show_channel()

    def show_label(self, cid: str) -> None:
        """Redraw one channel's entry (its unread count), if it is drawn and its text changed."""
        lv = self.query_one("#chan-list", ListView)
        if cid not in self._chan_ids or len(lv.children) != len(self._chan_ids):
            return
        i = self._chan_ids.index(cid)
        text = self._label(self.model.view["channels"][i])
        if self._labels.get(cid) != text:
            self._labels[cid] = text
            lv.children[i].query_one(Label).update(text)

    async def _rebuild(self) -> None:
        # removing list items is asynchronous: wait for it, or old and new items mix for a moment
        self._rebuild_pending = False
        lv = self.query_one("#chan-list", ListView)
        chans = list(self.model.view.get("channels", []))
        await lv.clear()
        await lv.extend([ListItem(Label(self._label(c), markup=False)) for c in chans])
        self._chan_ids = [c["id"] for c in chans]
        self._labels.update({c["id"]: self._label(c) for c in chans})
        if self.model.active_channel in self._chan_ids:
            lv.index = self._chan_ids.index(self.model.active_channel)

    def _label(self, c: dict[str, Any]) -> str:
        n = self.model.unread.get(c["id"], 0)
        mark = "▶ " if c["id"] == self.model.active_channel else "  "
        # the whole name: a long one wraps under itself in the list (cut at 18, "United States (tea")
        return f"{mark}{c['name']}" + (f" ({n})" if n else "")

    @on(ListView.Selected, "#chan-list")
    def _pick(self, event: ListView.Selected) -> None:
        idx = event.index
        if idx is not None and 0 <= idx < len(self._chan_ids):
            self.model.open_channel(self._chan_ids[idx])
            self.show()
            self.show_channel()
            self.query_one("#composer", Input).focus()

    # ------------------------------------------------------------------ the log

    def show_channel(self) -> None:
        """Draw the active channel from the model: one write for the whole history (a write per line
        costs a layout pass and a scroll request each: seconds for 10,000 lines)."""
        self._reshow_pending = False
        self._pending_lines.clear()
        log = self.query_one("#messages", WrapLog)
        log.clear()
        msgs = self.model.messages.get(self.model.active_channel, [])[-SHOWN_MESSAGES:]
        if self.is_press(self.model.active_channel):
            log.add_lines(press_lines(msgs, self.model.log))
            return
        log.add_lines(message_line(m) for m in msgs)

    def is_press(self, cid: str) -> bool:
        """The press channel: it also carries the public statements, which come with the results
        (each phase's view redraws the channel, so one made now shows once the phase turns)."""
        chans = self.model.view.get("channels", [])
        return any(c.get("id") == cid and c.get("kind") == "press" for c in chans)

    def reshow_later(self) -> None:
        """Redraw the active channel on the pane's next turn, once however many times asked."""
        if not self._reshow_pending:
            self._reshow_pending = True
            self.call_later(self.show_channel)

    def write_message(self, msg: dict[str, Any]) -> None:
        """Queue one live message for the log; the queue is written in one go on the pane's next
        turn, so a burst of messages costs one write."""
        self._pending_lines.append(message_line(msg))
        if not self._flush_pending:
            self._flush_pending = True
            self.call_later(self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        if self._pending_lines:
            self.query_one("#messages", WrapLog).add_lines(self._pending_lines)
            self._pending_lines.clear()

    # ------------------------------------------------------------------ the composer

    @on(Input.Submitted, "#composer")
    def _say(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        try:
            command = SendMessage(channel=self.model.active_channel, text=text)
        except ValidationError as exc:
            self.post_message(refused(exc, "message"))
            return
        self.post_message(self.Say(self, command))

    def sent(self, text: str) -> None:
        """The server has the message: clear the composer, unless the user has typed on meanwhile."""
        composer = self.query_one("#composer", Input)
        if composer.value.strip() == text:
            composer.value = ""
