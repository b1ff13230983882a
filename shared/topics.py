"""Kafka topic names: a public interface, so constants live in one place."""

FIRM_EVENTS = "registry.firm-events"
STANDING_EVENTS = "ladder.standing-events"
ALERT_EVENTS = "notifier.alert-events"
ENTITLEMENT_EVENTS = "entitlements.entitlement-events"

ALL_TOPICS = (FIRM_EVENTS, STANDING_EVENTS, ALERT_EVENTS, ENTITLEMENT_EVENTS)


def dead_letter(topic: str) -> str:
    """The dead-letter twin of a topic."""
    return f"{topic}.dlq"

# the one service that publishes each topic
PRODUCERS = {FIRM_EVENTS: "registry", STANDING_EVENTS: "ladder", ALERT_EVENTS: "notifier",
             ENTITLEMENT_EVENTS: "entitlements"}
