"""Pure notifier domain: alert kinds, wording, routing, schedules. No I/O."""
