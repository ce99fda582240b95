"""Who may do what: API keys per company, the actor of every change (for the audit log), and the
rotation of the shop's signing secret.

The actor is a context variable: the API's authentication sets it to the key (``key:<id>:<name>``),
the CLI to ``cli:<user>``, the order webhook to ``shop-webhook``, the worker to ``worker``. The unit
of work reads it when it writes the audit log.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from ogust.application.handlers import UowFactory
from ogust.domain.api_key import ApiKey, Scope
from ogust.domain.errors import NotFound

KEY_PREFIX = "ogk"
_actor: ContextVar[str] = ContextVar("ogust_actor", default="system")


def current_actor() -> str:
    return _actor.get()


def set_actor(actor: str) -> Token[str]:
    """For the rest of this context (a request, a CLI run, a worker thread); ``reset_actor`` undoes it."""
    return _actor.set(actor)


def reset_actor(token: Token[str]) -> None:
    _actor.reset(token)


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


class ApiKeyRepository(Protocol):
    def add(self, item: ApiKey) -> None: ...
    def find(self, company_id: str, item_id: str) -> ApiKey | None: ...
    def get(self, company_id: str, item_id: str) -> ApiKey: ...
    def list(self, company_id: str) -> list[ApiKey]: ...
    def by_prefix(self, prefix: str) -> ApiKey | None: ...


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret() -> tuple[str, str, str]:
    """(prefix, secret, full key)."""
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    return prefix, secret, f"{KEY_PREFIX}_{prefix}_{secret}"


@dataclass(frozen=True)
class IssuedKey:
    """A key just created or rotated: ``token`` is the full key, shown this once and never again."""

    key: ApiKey
    token: str


@dataclass(frozen=True)
class Principal:
    """Who is calling the API: the company comes from the key."""

    company_id: str
    key_id: str
    name: str
    scopes: tuple[str, ...]

    @property
    def actor(self) -> str:
        return f"key:{self.key_id}:{self.name}"

    def allows(self, scope: Scope) -> bool:
        return scope.value in self.scopes or (scope is Scope.READ and Scope.OPERATOR.value in self.scopes)


class ApiKeys:
    """Create, list, rotate, revoke and check the API keys of a company."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def create(self, company_id: str, name: str, scopes: tuple[str, ...]) -> IssuedKey:
        prefix, secret, token = _new_secret()
        with self.uow() as uow:
            uow.companies.get(company_id)
            key = ApiKey(company_id, name, tuple(scopes), prefix, hash_secret(secret), uow.clock.now())
            uow.api_keys.add(key)
            uow.commit()
        return IssuedKey(key, token)

    def list(self, company_id: str) -> list[ApiKey]:
        with self.uow() as uow:
            return sorted(uow.api_keys.list(company_id), key=lambda k: k.created_at)

    def rotate(self, company_id: str, key_id: str) -> IssuedKey:
        prefix, secret, token = _new_secret()
        with self.uow() as uow:
            key = self._get(uow, company_id, key_id)
            key.rotate(prefix, hash_secret(secret))
            uow.commit()
        return IssuedKey(key, token)

    def revoke(self, company_id: str, key_id: str) -> ApiKey:
        with self.uow() as uow:
            key = self._get(uow, company_id, key_id)
            key.revoke(uow.clock.now())
            uow.commit()
            return key

    def authenticate(self, token: str) -> Principal | None:
        """The caller behind a full key, or None (unknown, altered, rotated or revoked key)."""
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
            return None
        with self.uow() as uow:
            key = uow.api_keys.by_prefix(parts[1])
            if key is None or not key.active or not hmac.compare_digest(key.secret_hash, hash_secret(parts[2])):
                return None
            return Principal(key.company_id, key.id, key.name, tuple(key.scopes))

    @staticmethod
    def _get(uow, company_id: str, ref: str) -> ApiKey:
        """By id or by prefix, within the company."""
        key = uow.api_keys.find(company_id, ref)
        if key is None:
            by_prefix = uow.api_keys.by_prefix(ref)
            key = by_prefix if by_prefix is not None and by_prefix.company_id == company_id else None
        if key is None:
            raise NotFound("clé d'API", ref)
        return key


class RotateShopSecret:
    """A new signing secret for the shop's orders; the previous one stays valid for ``grace``."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, company_id: str, grace: timedelta, new_secret: str | None = None) -> str:
        secret = new_secret or secrets.token_urlsafe(32)
        with self.uow() as uow:
            company = uow.companies.get(company_id)
            company.rotate_shop_secret(secret, uow.clock.now(), grace)
            uow.commit()
        return secret
