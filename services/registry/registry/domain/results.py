"""What the registry's handlers answer: the rows a write stored and how it went. The API maps
them to its response schemas (`registry.schemas`); handlers never build those."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from registry.domain.csv_import import ImportKind, RowError

Row = Mapping[str, Any]
ReportOutcome = Literal["filed", "restated", "unchanged"]
ImportStatus = Literal["running", "completed", "completed_with_errors"]


@dataclass(frozen=True, slots=True)
class Stored:
    """A fact as a write left it (or found it, on a replay), and the firm's sequence after."""

    row: Row
    sequence: int


@dataclass(frozen=True, slots=True)
class ReportStored:
    """A year's report after a PUT: the version stored, the firm's sequence, what it did."""

    row: Row
    sequence: int
    outcome: ReportOutcome


@dataclass(frozen=True, slots=True)
class ApplicationStored:
    """An application after a write, its steps, and the steps that may follow."""

    row: Row
    steps: Sequence[Row]
    sequence: int
    next_steps: tuple[str, ...]
    city_decides: bool


@dataclass(frozen=True, slots=True)
class FieldPatched:
    """One field of a PATCH: the fact recorded for it, or the same one already valid."""

    field: str
    fact: Row
    event_sequence: int | None  # None: unchanged

    @property
    def outcome(self) -> Literal["recorded", "unchanged"]:
        """Whether the PATCH recorded a fact for the field."""
        return "unchanged" if self.event_sequence is None else "recorded"


@dataclass(frozen=True, slots=True)
class ProfilePatched:
    """A firm after a PATCH, and what became of each field sent, in the request's order."""

    firm: Row
    facts: list[FieldPatched]


@dataclass(frozen=True, slots=True)
class ImportDone:
    """What an import did with its rows."""

    id: uuid.UUID
    kind: ImportKind
    status: ImportStatus
    total_rows: int
    applied: int
    unchanged: int
    rejected: int
    errors: list[RowError]
