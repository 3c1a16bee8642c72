"""How the command line reports problems: a message on stderr and an exit status, never a traceback.

Exit status: 0 success, 1 generation failure (a library or assembly problem, or an internal error),
2 bad input or usage: every fault of an input (answers, CSV, standard input) or of the output folder (permissions,
a full or read-only disk) is 2, so that 1 always means a bug or a library problem. ``--debug`` on the top-level
command shows the traceback instead. Messages escape control characters, so that input cannot drive the terminal.

The words come from the message catalogue (``contracts/messages.yaml``) in the language ``keiyaku --lang`` or the
locale (``LANG``) chose; every message starts with ``error: `` in both languages, so that scripts can find it.
"""

from __future__ import annotations

import sys
from functools import wraps

import click


class Failure(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def errors_to_exit(fn):
    """Known errors become a message on stderr and an exit status; tracebacks only with --debug."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        from contracts.answers import AnswersError, InputError
        from contracts.assembly import AssemblyError
        from contracts.library import LibraryError
        from contracts.render.files import OutputError

        try:
            return fn(*args, **kwargs)
        except (AnswersError, InputError, OutputError) as exc:
            fail(str(exc), 2)
        except (AssemblyError, LibraryError) as exc:
            fail(_text("cli.generation_failed", detail=exc), 1)
        except Failure as exc:
            fail(str(exc), exc.status)
        except BrokenPipeError:
            # The reader went away (e.g. `keiyaku risk … | head`): stop quietly, as Unix tools do.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - an unexpected bug still gets a message, not a traceback
            fail(_text("cli.internal", kind=type(exc).__name__, detail=exc), 1)

    return wrapper


def fail(message: str, status: int):
    if click.get_current_context().find_root().params.get("debug"):
        raise
    click.echo(f"{_text('error.prefix')}{shown(message)}", err=True)
    sys.exit(status)


def _text(key: str, **params) -> str:
    from contracts.messages import text

    return text(key, **params)


def shown(text: str) -> str:
    """Text from (or containing) user input, fit for the terminal: control characters and the like escaped."""
    from contracts.answers import printable

    return printable(str(text), keep="\n")


def read_answers(answers_path: str):
    """The answers file, or standard input for ``-``, read through the one bounded reader and validated."""
    from contracts.answers import load_answers

    return load_answers(answers_path)
