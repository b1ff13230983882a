"""Use cases: facts in, entitlements reconciled; policy sets; steps; payments; reminders."""
