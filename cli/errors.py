"""How the command line reports problems: a message on stderr and an exit status, never a traceback.

Exit status: 0 success, 1 generation failure (a library or assembly problem, or an internal error),
2 bad input or usage. ``--debug`` on the top-level command shows the traceback instead.
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
        from contracts.answers import AnswersError
        from contracts.assembly import AssemblyError
        from contracts.library import LibraryError
        from contracts.render.files import OutputError

        try:
            return fn(*args, **kwargs)
        except (AnswersError, OutputError) as exc:
            fail(str(exc), 2)
        except (AssemblyError, LibraryError) as exc:
            fail(f"generation failed: {exc}", 1)
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
            fail(f"internal error: {type(exc).__name__}: {exc} (run `keiyaku --debug ...` for details)", 1)

    return wrapper


def fail(message: str, status: int):
    if click.get_current_context().find_root().params.get("debug"):
        raise
    click.echo(f"error: {message}", err=True)
    sys.exit(status)


def read_answers(answers_path: str):
    from contracts.answers import answers_from_bytes, load_answers

    if answers_path == "-":
        return answers_from_bytes(sys.stdin.buffer.read(), "<stdin>")
    return load_answers(answers_path)
