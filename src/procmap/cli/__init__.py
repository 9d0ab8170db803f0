"""The `procmap` command line: thin wrappers that parse options and call the core.

Each command lives in its own module; this one holds the app, the error
policy (usage problems and internal failures exit 2 with one line on stderr,
never a traceback unless --debug) and the `--version` fast path, which answers
before typer, pydantic or networkx are imported.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from procmap import __version__

F = TypeVar("F", bound=Callable[..., Any])
_state = {"debug": False}


def colour_enabled(stream: Any = None) -> bool:
    """Colour only on a terminal, never in CI logs or pipes, and never with NO_COLOR set."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def fail(message: str) -> None:
    """Print a one-line error and exit 2."""
    import typer

    from procmap.diagnostics import printable_line

    print(f"procmap: {printable_line(str(message))}", file=sys.stderr)
    raise typer.Exit(2)


def _interrupted(exc: BaseException) -> None:
    """Ctrl-C, SIGTERM, SIGHUP: one line, exit 128 + the signal number (temporary files are already gone)."""
    from procmap.fileio import remove_pending
    from procmap.interrupts import describe, exit_code_for

    remove_pending()
    try:
        print(f"procmap: {describe(exc)}", file=sys.stderr)
    except (OSError, ValueError):
        pass  # stderr itself is gone (a closed terminal): the exit code still says what happened
    raise SystemExit(exit_code_for(exc))


def guarded(func: F) -> F:
    """Map every failure of a command to the exit-code policy of SPEC §3."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import typer

        from procmap.diagnostics import UsageError
        from procmap.validate import InvalidProcess

        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except InvalidProcess as exc:
            from procmap.reports.findings import text

            sys.stderr.write(text(exc.results, colour=colour_enabled(sys.stderr)))
            raise typer.Exit(1) from None
        except UsageError as exc:
            fail(str(exc))
        except KeyboardInterrupt as exc:
            _interrupted(exc)
        except BrokenPipeError:
            raise typer.Exit(2) from None
        except Exception as exc:
            if _state["debug"] or os.environ.get("PROCMAP_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")

    return wrapper  # type: ignore[return-value]


def _build_app(only: str | None = None) -> Any:
    import typer

    app = typer.Typer(
        name="procmap",
        help=(
            "Model business processes as service blueprints: validate them like a linter, audit where "
            "the customer is passed around, render swimlane diagrams."
        ),
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    def version_callback(value: bool) -> None:
        if value:
            print(f"procmap {__version__}")
            raise typer.Exit(0)

    @app.callback()
    def root(
        version: bool = typer.Option(
            False, "--version", "-V", callback=version_callback, is_eager=True, help="Show the version and exit."
        ),
        debug: bool = typer.Option(False, "--debug", help="Show a traceback on internal errors."),
    ) -> None:
        _state["debug"] = debug

    from procmap.cli import commands

    commands.register(app, only)
    return app


def app() -> Any:
    return _build_app()


def main() -> None:
    from procmap.interrupts import Terminated, install

    install()
    try:
        _main()
    except (KeyboardInterrupt, Terminated) as exc:
        _interrupted(exc)
    except BrokenPipeError:
        # The reader went away (`procmap ... | head`): not an error worth a traceback.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        sys.exit(0)


def _main() -> None:
    argv = sys.argv[1:]
    if argv in (["--version"], ["-V"]):
        print(f"procmap {__version__}")
        return
    if "--debug" in argv:
        _state["debug"] = True
    # pydantic looks for plugins through importlib.metadata entry points at first
    # use (~15 ms measured); procmap uses none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # A run builds many small acyclic objects (values, models, graph dicts) that
    # reference counting frees; the cyclic collector's passes over that growing
    # heap only cost time (10x the steps took ~15x the time with it on).
    gc.disable()
    command = next((a for a in argv if not a.startswith("-")), None)
    application = _build_app(command)
    try:
        code = application(prog_name="procmap", standalone_mode=False)
    except SystemExit:
        raise
    except Exception as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            print(exc.format_message())  # type: ignore[attr-defined]
            sys.exit(2)
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            # click's usage errors: one line, as SPEC asks, not a usage box
            ctx = getattr(exc, "ctx", None)
            where = ctx.command_path if ctx is not None else "procmap"
            print(f"procmap: {' '.join(exc.format_message().split())} (see '{where} --help')", file=sys.stderr)
            sys.exit(exc.exit_code)
        if type(exc).__name__ == "Abort":
            print("procmap: aborted", file=sys.stderr)
            sys.exit(2)
        if _state["debug"]:
            raise
        print(f"procmap: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
