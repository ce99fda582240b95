"""Column types that give the domain back exactly what it stored: aware UTC datetimes, enums, tuples,
the client's identity kept on an issued document."""
from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from ogust.domain.address import Address
from ogust.domain.client_identity import ClientIdentity


class UtcDateTime(TypeDecorator[datetime]):
    """Stores UTC, returns timezone-aware UTC datetimes on every database; refuses naive ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime refused: {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class EnumValue(TypeDecorator[Enum]):
    """A Python Enum stored as its ``value`` in a plain string column (no native ENUM to migrate)."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[Enum], length: int = 32) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Enum | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self.enum(value).value  # also accepts (and checks) a raw value

    def process_result_value(self, value: str | None, dialect: Dialect) -> Enum | None:
        return None if value is None else self.enum(value)


class IntEnumValue(TypeDecorator[Enum]):
    """An Enum whose values are integers (VAT rates in basis points), stored as an integer."""

    impl = Integer
    cache_ok = True

    def __init__(self, enum: type[Enum]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: Enum | int | None, dialect: Dialect) -> int | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: int | None, dialect: Dialect) -> Enum | None:
        return None if value is None else self.enum(value)


class StrTuple(TypeDecorator[tuple]):
    """A tuple of strings as a JSON array."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> list[str] | None:
        return None if value is None else [str(item) for item in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[str, ...] | None:
        return None if value is None else tuple(value)


class ClientIdentityJson(TypeDecorator[ClientIdentity]):
    """The client as an issued document names them, as a JSON object (names, email, address); NULL on
    a draft and on documents issued before revision 0007, which show the client record instead."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: ClientIdentity | None, dialect: Dialect) -> dict[str, Any] | None:
        if value is None:
            return None
        a = value.address
        return {"first_name": value.first_name, "last_name": value.last_name, "email": value.email,
                "address": {"street": a.street, "postal_code": a.postal_code, "city": a.city, "country": a.country}}

    def process_result_value(self, value: Any, dialect: Dialect) -> ClientIdentity | None:
        if value is None:
            return None
        return ClientIdentity(value["first_name"], value["last_name"], value["email"], Address(**value["address"]))
