"""Ids the documented examples use."""

FIRM = "3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b"
DECISION = "9d5e7f1a-2b3c-4d5e-8f9a-0b1c2d3e4f5a"
