"""The network client library: the lobby over REST, a live game over a websocket (``connection``), and
live bots that play a seat through it (``live_bot``). It speaks the wire protocol of
``precursor.protocol`` and never imports the server."""

from precursor.client.connection import (
    ClientError,
    CommandRefused,
    ConnectionLost,
    GameClient,
    LobbyClient,
    read_log,
    ws_url,
)

__all__ = [
    "ClientError",
    "CommandRefused",
    "ConnectionLost",
    "GameClient",
    "LobbyClient",
    "read_log",
    "ws_url",
]
