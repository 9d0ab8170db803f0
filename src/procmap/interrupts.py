"""Signals: SIGTERM and SIGHUP end a run the way Ctrl-C does.

``timeout``, CI cancellation and ``docker stop`` send SIGTERM; a closed
terminal sends SIGHUP.  Python's default for both is to die on the spot, which
left a half-written ``.out.*.tmp`` beside the output and orphaned the worker
processes of ``validate -j N``.  Here both become an exception, like
KeyboardInterrupt for SIGINT, so the same ``finally`` and ``except`` blocks
run: temporary files are removed (procmap.fileio), pool workers are stopped
(procmap.parallel), and the CLI prints one line and exits 128 + the signal
number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP), as shells report it.
"""

from __future__ import annotations

import signal
from types import FrameType

HANDLED = (signal.SIGTERM, signal.SIGHUP)


class Terminated(BaseException):
    """The process received SIGTERM or SIGHUP (a BaseException, like KeyboardInterrupt: nothing swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def exit_code_for(exc: BaseException) -> int:
    return exc.exit_code if isinstance(exc, Terminated) else 128 + signal.SIGINT


def describe(exc: BaseException) -> str:
    """The one line the CLI prints."""
    if isinstance(exc, Terminated):
        return f"terminated by {signal.Signals(exc.signum).name}"
    return "interrupted"


def _raise(signum: int, frame: FrameType | None) -> None:
    from procmap.fileio import remove_pending

    remove_pending()
    raise Terminated(signum)


def install() -> None:
    """Turn SIGTERM and SIGHUP into :class:`Terminated` in this (main) process.

    A signal its parent set to be ignored (``nohup`` sets SIGHUP to SIG_IGN)
    stays ignored.
    """
    for sig in HANDLED:
        if signal.getsignal(sig) is signal.SIG_IGN:
            continue
        signal.signal(sig, _raise)


def reset_for_worker() -> None:
    """In a pool worker: die at once on SIGTERM/SIGHUP, leave Ctrl-C to the parent, die with the parent.

    The parent stops its workers itself (it gets the same Ctrl-C, being in the
    same process group); PR_SET_PDEATHSIG covers a parent killed with SIGKILL,
    which no handler sees.
    """
    for sig in HANDLED:
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the parent's own cleanup still stops the workers
