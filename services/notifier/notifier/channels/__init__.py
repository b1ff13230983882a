"""Delivery channels: SSRF guard, vendor payload formats, async senders."""
