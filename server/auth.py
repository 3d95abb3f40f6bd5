"""Tokens and join codes: random from ``secrets``, stored only as hashes, compared in constant time.

A token is 192 random bits, so a fast hash (SHA-256) is enough to keep a stolen store from yielding
usable tokens, and no slow password hash ever runs on the event loop. Neither tokens nor codes are
logged: the server's access log is off and its own log lines name players by id.
"""

from __future__ import annotations

import base64
import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(24)


def new_join_code() -> str:
    """Twelve base-32 characters (60 bits) in three groups: easy to read out in a classroom."""
    raw = base64.b32encode(secrets.token_bytes(8)).decode().rstrip("=")[:12]
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}"


def normalise_code(code: str) -> str:
    return code.strip().upper().replace(" ", "").replace("-", "")


def key_of(secret: str, kind: str) -> str:
    """The store key of a token or a join code (codes are normalised first, so dashes are optional)."""
    value = normalise_code(secret) if kind == "code" else secret
    return kind + ":" + hashlib.sha256(value.encode()).hexdigest()


#: The credential record naming each seat's current join code (by its hash): a code is valid only while
#: the index points at it, so rotating a code is one write and the old code stops joining at once.
#: Games from before the index have none, and their codes stay valid until first rotated.
CODE_INDEX = "index:codes"


def new_player_id() -> str:
    return "p" + secrets.token_hex(4)


def new_game_id() -> str:
    return "g" + secrets.token_hex(5)
