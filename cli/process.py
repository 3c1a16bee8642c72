"""How a `keiyaku` process starts and ends: the console entry point, and the garbage collector's part in it."""

from __future__ import annotations

import gc
import os
import sys


def collect_garbage() -> None:
    """For a command that runs long: what is loaded so far (library, rules) is kept out of every later collection,
    and the collector runs again. Forked workers then also leave those pages shared."""
    gc.freeze()
    gc.enable()


def run() -> None:
    """The console entry point: run the command, flush what it printed, and leave without the interpreter's teardown.

    A one-shot command has closed every file it wrote (contracts.render.files renames whole sets into place), so
    tearing down thousands of library objects only delays the prompt (about 0.08 s). The exit status is click's.
    """
    # A one-shot command builds its library, drafts and files and then ends: the cyclic garbage collector's passes
    # over the tens of thousands of objects it keeps alive cost 40-70 ms per command and free almost nothing (peak
    # memory +1 %). Commands that run long (batch, serve) switch it back on through `collect_garbage()`.
    gc.disable()
    # pydantic looks for third-party plugins among every installed package's entry points when it builds the first
    # model (about 5 ms); keiyaku validates its own answers and uses none (pydantic's documented switch).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from cli.main import main

    try:
        main()  # standalone mode: always ends in SystemExit
        status: int | str | None = 0
    except SystemExit as exc:
        status = exc.code
    if isinstance(status, str):  # sys.exit("message"): printed, status 1, as the interpreter does
        print(status, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        status = status or 1
    os._exit(status or 0)
