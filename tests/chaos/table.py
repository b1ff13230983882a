"""The chaos scenarios' counts as a Markdown table (printed by `make test`, kept in README)."""

from __future__ import annotations

from typing import Any

COLUMNS = ("scenario", "written", "resent", "published", "consumed", "duplicates_suppressed",
           "alerts", "webhooks", "lost")


def render(rows: list[dict[str, Any]]) -> str:
    """One line per scenario, in the order they ran."""
    head = [c.replace("_", " ") for c in COLUMNS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(r[c]) for c in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)
