"""The ``annotator`` console script: load the command line without paying for garbage
collection of the modules it loads, then run it."""

from __future__ import annotations

import gc


def main() -> None:
    """Import the command line with the cyclic garbage collector paused, then run it.

    Loading SQLAlchemy, Textual and the project creates about 150,000 objects that live
    as long as the process; collecting while they are created found nothing to free and
    cost about a tenth of a second of every start (benchmarks/RESULTS.md). Frozen, they
    are also left out of every later full collection, which would otherwise walk them
    all during a keypress.
    """
    gc.disable()
    try:
        from annotator.cli import main as run_command_line
    finally:
        gc.freeze()
        gc.enable()
    run_command_line()
