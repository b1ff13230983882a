"""Processes that end with the process that started them, even one killed with -9."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def end_with_parent(parent: int) -> None:
    """Ask Linux for a SIGTERM when the parent dies (kept across exec); exit at once if the
    parent `parent` is already gone. Elsewhere only the second half applies."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        sys.exit(0)


def tied_to_me(argv: list[str]) -> list[str]:
    """`argv` run through this module, so the process ends when this one does.

    A launcher rather than `preexec_fn`, which is unsafe with threads (the supervisor restarts
    children from its own). Linux ties the child to the thread that spawns it: spawn from one
    that lives as long as the children should (the supervisor's watcher ends in `stop_all`)."""
    return [sys.executable, "-m", "shared.lifeline", str(os.getpid()), *argv]


if __name__ == "__main__":  # the launcher: tie this process to its parent, then become argv
    end_with_parent(int(sys.argv[1]))
    os.execvp(sys.argv[2], sys.argv[2:])
