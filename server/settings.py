"""Server settings: command-line flags win, then ``PRECURSOR_*`` environment variables, then defaults."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

import platformdirs
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_store_url() -> str:
    """An SQLite file in the user's data directory: durable, and nothing to set up."""
    path = Path(platformdirs.user_data_dir("precursor", appauthor=False)) / "games.db"
    return f"sqlite:///{path}"


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRECURSOR_", extra="ignore")

    host: str = Field(
        default="127.0.0.1", description="interface to listen on; loopback unless told otherwise"
    )
    """Listen address. Loopback by default so a classroom server is never exposed by accident."""
    port: int = Field(default=8765, ge=0, le=65535)
    """TCP port (0 picks a free one)."""
    store: str = Field(default_factory=default_store_url)
    """Event store URL: ``sqlite:///path``, ``redis://host:port/db``, ``unix:///sock?db=0`` or ``memory://``."""
    max_frame_bytes: int = Field(default=64 * 1024, ge=1024)
    """Inbound websocket frames above this get a ``too_large`` error frame (and are not parsed)."""
    rate_per_second: float = Field(default=20.0, gt=0)
    """Sustained inbound frames per second per token (shared by all its connections); bursts up to
    ``rate_burst``."""
    rate_burst: int = Field(default=60, ge=1)
    view_rate_per_second: float = Field(default=5.0, gt=0)
    """View requests (``{"type": "view"}``) per second per token, after a burst of ``view_burst``;
    more get ``rate_limited``. A client asks for one when a phase changes; a game that bots play
    through changes phase a dozen times in a second, which the burst is sized for."""
    view_burst: int = Field(default=60, ge=1)
    max_connections_per_token: int = Field(default=8, ge=1)
    """Open websockets one token may hold (a player with a few tabs, not a flood)."""
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    """REST request bodies above this are refused with 413 ``payload_too_large``."""
    join_per_minute: float = Field(default=60.0, gt=0)
    """Joins per minute per client address, after a burst of ``join_burst`` (a classroom behind one
    NAT joins at once: the burst is sized for it)."""
    join_burst: int = Field(default=60, ge=1)
    create_per_minute: float = Field(default=10.0, gt=0)
    """Games created per minute per client address, after a burst of ``create_burst``."""
    create_burst: int = Field(default=10, ge=1)
    max_players_per_team: int = Field(default=12, ge=1)
    """Seated (not removed) players per team; more joins are refused with ``too_many_players``."""
    max_observers: int = Field(default=50, ge=0)
    """Seated observers per game; more are refused with ``too_many_players``."""
    send_queue: int = Field(default=5000, ge=10)
    """Frames queued for one slow client before it is disconnected (it resumes from its last event)."""
    send_queue_bytes: int = Field(default=4 * 1024 * 1024, ge=64 * 1024)
    """Bytes queued for one slow client before it is disconnected: frames alone do not bound memory
    (5000 views of 22 KB are 110 MB for one socket that never reads)."""
    request_timeout: float = Field(default=10.0, gt=0)
    """Seconds a connection may take to send a request's head (request line and headers); a
    connection still short of it is closed, so half-sent requests cannot hold sockets for ever."""
    organiser_key: str | None = Field(default=None, repr=False, max_length=200)
    """The key ``POST /api/games`` asks for (``Authorization: Bearer <key>``). Unset on loopback: anyone
    on the machine may create games. Unset on any other address: one is generated at start and printed
    once on the console. Set: required whatever the address."""
    idle_evict_seconds: float = Field(default=300.0, gt=0)
    """A game with no socket connected, no phase clock counting down and no bot at work is unloaded
    after this many seconds idle, and loaded again from the store on its next use (a join, a socket, a
    REST read): a server's memory grows with its active games, not with every game it has served."""
    log_window: int = Field(default=64, ge=1)
    """Events of a loaded game's log kept in memory, the newest; a client resuming from further back
    is sent the older ones from the store. Memory per game stays flat however long the game runs."""
    finished_evict_seconds: float = Field(default=10.0, gt=0)
    """A finished game is unloaded this many seconds after its last socket leaves."""
    lease_ttl_seconds: float = Field(default=5.0, ge=0.5)
    """With several servers on one Redis, one of them runs each game's phase clock and bots, holding a
    lease that lasts this long and is renewed every third of it; when that server dies another takes
    the lease within about this time and runs the clock and bots from the log."""
    require_durable: bool = False
    """Refuse to start unless the store keeps acknowledged events across its own restart (a Redis
    with neither appendonly nor save loses every game when it restarts): ``PRECURSOR_REQUIRE_DURABLE``."""
    log_level: str = "info"
    rules_path: str | None = None
    """Rule files or folders laid over the shipped rules, several joined like PATH
    (``PRECURSOR_RULES_PATH``)."""
    scenarios_path: str | None = None
    """Scenario files or folders offered beside the shipped ones (``PRECURSOR_SCENARIOS_PATH``)."""
    ssl_certfile: str | None = None
    """PEM certificate (chain) to serve HTTPS and WSS with; the key too, unless ``ssl_keyfile`` is given."""
    ssl_keyfile: str | None = None
    """PEM private key for ``ssl_certfile``."""

    @model_validator(mode="after")
    def _key_needs_certificate(self) -> ServerSettings:
        if self.ssl_keyfile and not self.ssl_certfile:
            raise ValueError("PRECURSOR_SSL_KEYFILE is set without PRECURSOR_SSL_CERTFILE")
        return self

    @property
    def tls(self) -> bool:
        return bool(self.ssl_certfile)

    @property
    def user_rules(self) -> list[Path]:
        return _split_paths(self.rules_path)

    @property
    def user_scenarios(self) -> list[Path]:
        return _split_paths(self.scenarios_path)


def _split_paths(text: str | None) -> list[Path]:
    """Several paths in one setting are joined like PATH (``:``, or ``;`` on Windows)."""
    return [Path(p) for p in (text or "").split(os.pathsep) if p.strip()]


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name other than localhost, or "" (every interface)


def organiser_key(settings: ServerSettings) -> tuple[str | None, bool]:
    """The key creating a game needs (``None``: creation is open) and whether it was generated just now.

    Open on loopback, where only people on this machine can reach the server; anywhere else a student
    could otherwise create games by the hundred, so a key is made up unless the operator chose one.
    """
    if settings.organiser_key:
        return settings.organiser_key, False
    if is_loopback(settings.host):
        return None, False
    return secrets.token_urlsafe(18), True


def exposure_warning(settings: ServerSettings) -> str | None:
    """Tokens and join codes cross the network in the clear unless TLS is on (or the server sits
    behind a proxy that terminates it): worth a line at start-up whenever the host is reachable."""
    if settings.tls or is_loopback(settings.host):
        return None
    return (
        f"serving on {settings.host or 'every interface'} without TLS: join codes and tokens travel in "
        "the clear; set PRECURSOR_SSL_CERTFILE and PRECURSOR_SSL_KEYFILE, or put a TLS proxy in front"
    )
