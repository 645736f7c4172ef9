"""Operator commands (`cabanas …`, `python -m entrypoints.cli …`): one module per command
family in this package; ``main`` is the dispatcher."""

from entrypoints.cli.main import main

__all__ = ["main"]
