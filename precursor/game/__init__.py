"""The pure game: rule and scenario files, the expression language, the compiled rulebook, commands, the
event fold, the engine and its adjudication, views per audience, scoring and the scripted bots.

Everything here is deterministic and does no I/O beyond reading the rule files it is pointed at: no
clock, no global random, no network, no terminal (``tests/test_boundaries.py`` checks the whole
package). The server, the client library, the batch and review tools and the CLI sit above it.
"""
