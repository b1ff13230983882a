"""Summarise py-spy's raw (collapsed) stacks: the functions that hold the most samples.

Usage: python bench/profile_summary.py STACKS.txt [--top N] > SUMMARY.txt

py-spy `record --format raw` writes one line per distinct stack ("frame;frame;... count").
This prints the top N functions by inclusive share (on the stack) and by self share (the
innermost frame), small enough to keep in git beside the numbers it explains.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_LOC = re.compile(r"\s*\(([^)]*?)(?::\d+)?\)$")  # "fn (path/file.py:123)" -> file without line


def frame_name(frame: str) -> str:
    """A frame without its line number, with the file path shortened to the package part."""
    m = _LOC.search(frame)
    if not m:
        return frame.strip()
    path = m.group(1)
    for marker in ("site-packages/", "/services/registry/", "/services/ladder/",
                   "/services/notifier/", "/services/entitlements/", "/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    else:
        path = path.rsplit("/", 2)[-2:] and "/".join(path.rsplit("/", 2)[-2:])
    return f"{frame[:m.start()].strip()} ({path})"


def summarise(text: str, top: int) -> str:
    """The report for one file of collapsed stacks."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [frame_name(f) for f in stack.split(";") if f]
        for f in set(frames):
            inclusive[f] += n
        if frames:
            own[frames[-1]] += n
    out = [f"{total} samples"]
    for title, counter in (("inclusive (on the stack)", inclusive), ("self (innermost)", own)):
        out += ["", f"top {top} by {title}:"]
        out += [f"{100 * n / total:5.1f}%  {f}" for f, n in counter.most_common(top)]
    return "\n".join(out) + "\n"


def main() -> None:
    """Print the summary of one file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stacks", type=Path)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    print(summarise(args.stacks.read_text(errors="replace"), args.top), end="")


if __name__ == "__main__":
    main()
