"""Notifier service: turns standing and target events into alerts for case officers."""
