"""What the reference server remembers, in memory, behind one lock: the tiers de prestation and
their tokens, the clients (*particuliers*) and their links to each tiers, the payment requests."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime

from ogust_urssaf.lifecycle import Demande

PAIRING_STATUSES = ("APPAREILLAGE_EC", "APPAREILLAGE_VALIDE", "APPAREILLAGE_NF")


@dataclass(eq=False)
class Tiers:
    client_id: str
    client_secret: str
    name: str
    natures: frozenset[str] | None = None  # None: any code of the documented form
    invoice_numbers: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Token:
    value: str
    client_id: str
    expires_at: datetime


@dataclass(eq=False)
class Person:
    """A client's URSSAF account: one per person, whichever tiers registered them."""
    id_client: str
    identity: tuple[str, str, str]  # birth name, first names, birth date: how URSSAF recognises a person
    birth_day: date
    registration: dict
    blocked: bool = False
    mandate_expired: bool = False


@dataclass(eq=False)
class Link:
    """A client's pairing with one tiers: under way until the client activates it."""
    tiers: str
    id_client: str
    status: str = "APPAREILLAGE_EC"
    activated_at: datetime | None = None


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tiers: dict[str, Tiers] = {}
        self.tokens: dict[str, Token] = {}
        self.persons: dict[str, Person] = {}
        self.links: dict[tuple[str, str], Link] = {}
        self.demandes: dict[str, Demande] = {}

    def person_by_identity(self, identity: tuple[str, str, str]) -> Person | None:
        return next((person for person in self.persons.values() if person.identity == identity), None)

    def account_status(self, link: Link) -> str:
        """What ``GET /particulier`` says: the person's blocks first, then the pairing."""
        person = self.persons[link.id_client]
        if person.blocked:
            return "PARTICULIER_BLOQUE"
        if person.mandate_expired:
            return "MANDAT_ECHU"
        return link.status
