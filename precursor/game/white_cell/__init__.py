"""The white cell: what control does beyond the rulebook's levers.

Free actions (``menu``, ``free_actions``) let a team argue for an act outside the lever menu and have it
ruled on and rolled; inject suggestions (``suggest``) rank the rulebook's inject templates by what the
game state calls for. Both are pure: the engine calls the first, the facilitator's console the second.
"""
