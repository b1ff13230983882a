"""The ladder's use cases: each takes a unit of work (and what else it needs) as arguments."""

from ladder.handlers.projection import UnknownFirm
from ladder.handlers.rulebooks import RulebookStore, load_rulebooks, upload_draft
from ladder.handlers.standing import on_firm_event, on_firm_events, override, sweep
from ladder.handlers.targets import put_round, put_targets
from ladder.handlers.timeline import Outcome, recompute

__all__ = ["Outcome", "RulebookStore", "UnknownFirm", "load_rulebooks",
           "on_firm_event", "on_firm_events", "override", "put_round", "put_targets", "recompute", "sweep", "upload_draft"]
