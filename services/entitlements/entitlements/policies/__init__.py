"""Shipped policy sets (YAML data read by entitlements.domain.policies)."""
