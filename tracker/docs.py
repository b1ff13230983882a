"""What `tracker docs` writes: the services' own AsyncAPI generator, for every topic at once."""

from __future__ import annotations

from shared.asyncapi import asyncapi_document

__all__ = ["asyncapi_document"]
