"""The `submissions` command line: ``main(argv) -> int`` (the ``submissions`` entry point)."""

from assistant.cli.main import main

__all__ = ["main"]
