"""Registry events for the ladder's handler tests, numbered per firm like the registry's."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from shared.events import EventEnvelope, make_event
from tests.factories import firm_payload, report_payload


class Registry:
    """Makes one firm's registry events with increasing sequences."""

    def __init__(self) -> None:
        self._sequence: dict[str, int] = defaultdict(int)

    def event(self, event_type: str, firm_id: str, data: dict[str, Any]) -> EventEnvelope:
        """The firm's next event."""
        self._sequence[firm_id] += 1
        return make_event(event_type, producer="registry", subject=firm_id,
                          sequence=self._sequence[firm_id], data=data)

    def registered(self, firm_id: str | None = None, **profile: Any) -> EventEnvelope:
        """A FirmRegistered for a new firm (founded 2016-03-01 unless told otherwise)."""
        firm_id = firm_id or str(uuid.uuid4())
        body = firm_payload(**{"founded_on": "2016-03-01", **profile})
        return self.event("FirmRegistered", firm_id, {"firm": {"id": firm_id, **body}})

    def report(self, firm_id: str, fiscal_year: int, filed_on: str,
               **fields: Any) -> EventEnvelope:
        """An AnnualReportFiled for `fiscal_year`, filed on `filed_on`."""
        return self.event("AnnualReportFiled", firm_id, {"firm_id": firm_id, "report": {
            "fiscal_year": fiscal_year, **report_payload(filed_on=filed_on, **fields)}})

    def flag(self, firm_id: str, flag: str, value: bool, effective_on: str) -> EventEnvelope:
        """A ComplianceFlagChanged."""
        return self.event("ComplianceFlagChanged", firm_id, {
            "firm_id": firm_id, "flag": flag, "value": value, "effective_on": effective_on})
