"""Precursor: a multiplayer, turn-based negotiation wargame about the fentanyl crisis.

``precursor.game`` is the pure game; ``precursor.client`` the network client library; ``precursor.analysis``
the batch and review tools; ``precursor.protocol`` the wire contract; ``precursor.cli`` the command line.
"""

# the one place the version is written: pyproject.toml reads it, and every game log records it
__version__ = "0.1.0"
