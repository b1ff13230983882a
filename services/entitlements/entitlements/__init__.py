"""The entitlements service: policies as data, what each firm is owed, and the year's budget."""
