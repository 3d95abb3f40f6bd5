"""Compiling ``rules/teams.yaml``: the teams and the rulebook seats each one holds."""

from __future__ import annotations

from precursor.game import schema as S
from precursor.game.loader import Doc
from precursor.game.rulebook.context import Ctx, check_sources

Teams = tuple[dict[str, S.Team], dict[str, S.Seat], dict[str, str]]


def compile_teams(ctx: Ctx, doc: Doc, tf: S.TeamsFile, sources: dict[str, S.SourceDoc]) -> Teams:
    """The teams, the seats, and the team of every seat."""
    teams: dict[str, S.Team] = {}
    seats: dict[str, S.Seat] = {}
    seat_team: dict[str, str] = {}
    for ti, team in enumerate(tf.teams):
        if team.id in teams:
            ctx.add(doc, ("teams", ti, "id"), f"duplicate team id '{team.id}'")
        teams[team.id] = team
        check_sources(ctx, doc, ("teams", ti), team, sources)
        heads = _seats(ctx, doc, ti, team, sources, seats, seat_team)
        if heads != 1:
            ctx.add(doc, ("teams", ti, "seats"), f"team '{team.id}' needs exactly one head seat, has {heads}")
    for t in S.TEAMS:
        if t not in teams:
            ctx.add(doc, ("teams",), f"team '{t}' is missing")
    return teams, seats, seat_team


def _seats(
    ctx: Ctx,
    doc: Doc,
    ti: int,
    team: S.Team,
    sources: dict[str, S.SourceDoc],
    seats: dict[str, S.Seat],
    seat_team: dict[str, str],
) -> int:
    """Adds a team's seats to ``seats`` and ``seat_team``; returns how many of them are heads."""
    heads = 0
    for si, seat in enumerate(team.seats):
        path = ("teams", ti, "seats", si)
        if seat.id in seats:
            ctx.add(doc, (*path, "id"), f"duplicate seat id '{seat.id}'")
        if not seat.id.startswith(team.id + "."):
            ctx.add(doc, (*path, "id"), f"seat ids of team '{team.id}' start with '{team.id}.'")
        seats[seat.id] = seat
        seat_team[seat.id] = team.id
        heads += seat.head
        check_sources(ctx, doc, path, seat, sources)
    return heads
