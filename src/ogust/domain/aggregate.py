"""What every aggregate has: an id, the company that owns it, a version, pending events."""
from __future__ import annotations

import uuid

from ogust.domain.errors import InvalidValue
from ogust.domain.events import Event


def new_id() -> str:
    return str(uuid.uuid4())


class Aggregate:
    id: str
    company_id: str
    version: int

    def _record(self, event: Event) -> None:
        # the ORM builds objects without __init__: the list is created on first use
        if not hasattr(self, "_events"):
            self._events: list[Event] = []
        self._events.append(event)

    def peek_events(self) -> list[Event]:
        """The events recorded so far, left in place for the unit of work to pull."""
        return list(getattr(self, "_events", []))

    def _apply_changes(self, allowed: frozenset[str], changes: dict[str, object]) -> None:
        """Set the allowed fields and check the record again (``__post_init__``); a refused change
        leaves it as it was."""
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidValue(f"Champs non modifiables : {', '.join(sorted(unknown))}")
        before = {name: getattr(self, name) for name in changes}
        for name, value in changes.items():
            setattr(self, name, value)
        try:
            self.__post_init__()
        except InvalidValue:
            for name, value in before.items():
                setattr(self, name, value)
            raise

    def pull_events(self) -> list[Event]:
        events = list(getattr(self, "_events", []))
        self._events = []
        return events
