"""SSE event ids that are Kafka positions: the event's topic/partition/offset, then the next
offset of every partition, so a reconnect resumes exactly where the stream stopped."""

from __future__ import annotations

import re

from shared.topics import ALL_TOPICS

TopicPartitionKey = tuple[str, int]
Positions = dict[TopicPartitionKey, int]  # (topic, partition) -> next offset to send

_HEAD = re.compile(r"^(?P<topic>[a-z.-]+)/(?P<partition>\d{1,4})/(?P<offset>\d{1,19})$")
_PART = re.compile(r"^(?P<topic>[a-z.-]+)=(?P<offsets>\d{1,19}(?:,\d{1,19}){0,255})$")
MAX_OFFSET = 2**63 - 1


class BadCursor(ValueError):
    """A Last-Event-ID this stream did not write."""


def encode(topic: str, partition: int, offset: int, positions: Positions) -> str:
    """`topic/partition/offset;topic=o0,o1,...;...` (offsets listed per partition, from 0)."""
    parts = [f"{topic}/{partition}/{offset}"]
    for name in sorted({t for t, _ in positions}):
        count = max(p for t, p in positions if t == name) + 1
        offsets = ",".join(str(positions.get((name, p), 0)) for p in range(count))
        parts.append(f"{name}={offsets}")
    return ";".join(parts)


def decode(text: str) -> Positions:
    """The positions a cursor resumes from; raises BadCursor on anything else."""
    head, *rest = text.strip().split(";")
    match = _HEAD.match(head)
    if match is None or not rest:
        raise BadCursor("expected 'topic/partition/offset;topic=offsets,...' as written by "
                        "this stream")
    positions: Positions = {}
    for part in rest:
        found = _PART.match(part)
        if found is None or found["topic"] not in ALL_TOPICS:
            raise BadCursor(f"unknown position {part[:80]!r}")
        for partition, offset in enumerate(found["offsets"].split(",")):
            if int(offset) > MAX_OFFSET:
                raise BadCursor("offset out of range")
            positions[(found["topic"], partition)] = int(offset)
    own = (match["topic"], int(match["partition"]))
    if positions.get(own) != int(match["offset"]) + 1:
        raise BadCursor("the event's own offset does not match its position")
    return positions
