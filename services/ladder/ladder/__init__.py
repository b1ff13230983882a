"""Ladder service: evaluates firms against the cultivation ladder."""
