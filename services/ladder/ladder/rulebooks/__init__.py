"""Shipped rulebook versions (YAML data read by ladder.domain.rulebook)."""
