"""Tools that run the pure game in batches or read its logs: headless play from scripts (``runner``),
the conformance cases (``cases``), batch simulation (``simulate``) and the after-action review
(``review``, ``charts``)."""
