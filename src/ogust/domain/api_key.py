"""An API key of one company: a name, scopes, a public prefix (shown in lists) and the hash of its secret.

The full key (``ogk_<prefix>_<secret>``) exists only once, in the answer to its creation or rotation;
ogust keeps the SHA-256 of the secret, which is high-entropy (256 bits), so a plain hash suffices.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.errors import InvalidTransition, InvalidValue


class Scope(str, Enum):
    OPERATOR = "operator"  # back-office use cases (every POST/PATCH) and reads
    READ = "read"  # reads (GET)
    SHOP = "shop"  # what the shop needs to read; its orders come through the signed webhook

    @classmethod
    def parse(cls, value: str) -> Scope:
        try:
            return cls(value)
        except ValueError as error:
            raise InvalidValue(f"Portée inconnue : {value!r} (operator, read ou shop).", field="scope") from error


@dataclass(eq=False)
class ApiKey(Aggregate):
    company_id: str
    name: str
    scopes: tuple[str, ...]
    prefix: str
    secret_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    id: str = field(default_factory=new_id)
    version: int = 1

    def __post_init__(self) -> None:
        self.name = self.name.strip()
        if not self.name or len(self.name) > 100:
            raise InvalidValue("Le nom de la clé fait de 1 à 100 caractères.", field="name")
        if not self.scopes:
            raise InvalidValue("Une clé a au moins une portée.", field="scope")
        self.scopes = tuple(Scope.parse(s).value for s in self.scopes)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: Scope) -> bool:
        return self.active and (scope.value in self.scopes
                                or (scope is Scope.READ and Scope.OPERATOR.value in self.scopes))

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is not None:
            raise InvalidTransition(f"La clé {self.prefix} est déjà révoquée.")
        self.revoked_at = now

    def rotate(self, prefix: str, secret_hash: str) -> None:
        """A new secret (and prefix) for the same key: the old full key stops working at once."""
        if self.revoked_at is not None:
            raise InvalidTransition(f"La clé {self.prefix} est révoquée : créez-en une autre.")
        self.prefix, self.secret_hash = prefix, secret_hash
