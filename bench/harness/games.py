"""Precursor games set up over REST as a lobby would, and moved on by their facilitator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from harness.peers import Peer, gather_limited, ws_url

TEAMS = ("us", "mx", "cn", "ca")


@dataclass
class Seats:
    game_id: str
    facilitator: str
    tokens: dict[str, str]  # team -> player token
    extra: list[str] = field(default_factory=list)  # more tokens (the Redis benchmark's senders)

    def url(self, base: str, token: str) -> str:
        return ws_url(base, f"/ws/games/{self.game_id}?token={token}")


async def make_games(
    base: str, n: int, scenarios: list[str], *, extra_team: str | None = None, concurrency: int = 8
) -> list[Seats]:
    """Create ``n`` games (cycling ``scenarios``) and join one player per team (plus one more player
    on ``extra_team`` when asked), all over REST, as a lobby would."""
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=60, limits=limits) as http:

        async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            r = await http.post(path, json=body)
            if r.status_code != 201:
                raise RuntimeError(f"POST {path}: {r.status_code} {r.text[:300]}")
            data: dict[str, Any] = r.json()
            return data

        async def one(i: int) -> Seats:
            body = {"scenario": scenarios[i % len(scenarios)], "seed": i, "name": f"bench {i}"}
            created = await post("/api/games", body)
            gid, codes = created["game_id"], created["join_codes"]
            tokens = {}
            for team in TEAMS:
                joined = await post(
                    f"/api/games/{gid}/join", {"join_code": codes[team], "name": f"{team}{i}"}
                )
                tokens[team] = joined["token"]
            extra = []
            if extra_team:
                joined = await post(
                    f"/api/games/{gid}/join", {"join_code": codes[extra_team], "name": f"s{i}"}
                )
                extra.append(joined["token"])
            return Seats(gid, created["facilitator_token"], tokens, extra)

        out: list[Seats] = await gather_limited((one(i) for i in range(n)), concurrency)
        return out


async def scenario_turns(base: str, scenario: str) -> int:
    async with httpx.AsyncClient(base_url=base, trust_env=False) as http:
        return int(next(x["turns"] for x in (await http.get("/api/scenarios")).json() if x["id"] == scenario))


async def advance(fac: Peer, turn: int, phase: str) -> None:
    """One facilitator ``advance``, guarded by turn and phase as a double click would be."""
    await fac.command({"type": "advance", "turn": turn, "phase": phase})


async def advance_to_negotiation(base: str, games: list[Seats], concurrency: int = 16) -> None:
    async def one(g: Seats) -> None:
        fac = await Peer.open(g.url(base, g.facilitator), 0, "facilitator")
        try:
            await advance(fac, 1, "briefing")
        finally:
            await fac.close()

    await gather_limited((one(g) for g in games), concurrency)
