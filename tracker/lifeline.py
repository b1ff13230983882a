"""Child processes that die with the process that started them, even one killed with -9."""

from __future__ import annotations

import os
import sys

# Runs before the child's own program: asks Linux to send it SIGTERM when its parent dies
# (prctl PR_SET_PDEATHSIG = 1, kept across exec), gives up if the parent is already gone, then
# becomes the program. A launcher rather than `preexec_fn`, which is unsafe with threads (the
# supervisor restarts children from its own thread).
_LAUNCHER = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)\n"
    "os.getppid() == int(sys.argv[1]) or sys.exit(0)\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


def tied_to_me(argv: list[str]) -> list[str]:
    """`argv`, run so the process ends when this one does (Linux; elsewhere `argv` unchanged).

    Linux ties the child to the thread that spawns it, so spawn from a thread that lives as long
    as the children should (the supervisor's watcher ends only in `stop_all`)."""
    if not sys.platform.startswith("linux"):
        return argv
    return [sys.executable, "-c", _LAUNCHER, str(os.getpid()), *argv]
