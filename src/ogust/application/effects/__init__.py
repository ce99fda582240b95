"""Side effects performed by the outbox worker, one per job kind. Each is idempotent, keyed by a
business id, so that at-least-once delivery gives exactly-once results."""
from __future__ import annotations


class RetryLater(Exception):
    """A passing fault (network, server down): the job goes back to the queue with a backoff."""


class GiveUp(Exception):
    """Retrying cannot help (refused by the shop, bad address): the job is dead-lettered."""
