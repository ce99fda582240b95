"""Alembic environment: the application's MetaData, its engine settings, batch mode on SQLite."""
from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import pool
from sqlalchemy.types import TypeDecorator

from ogust.adapters.persistence.database import database_url, make_engine
from ogust.adapters.persistence.tables import metadata

config = context.config
if config.cmd_opts is not None and config.config_file_name:  # the alembic command line, not upgrade_database()
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def url() -> str:
    return config.get_main_option("sqlalchemy.url") or database_url()


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Migrations spell out plain column types, never our TypeDecorators (which may change later)."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def configure(**kwargs: Any) -> None:
    context.configure(target_metadata=metadata, render_item=render_item, compare_type=True, **kwargs)


def run_offline() -> None:
    configure(url=url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # batch migrations copy tables: referencing foreign keys must not fire meanwhile
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            _run(connection)
    finally:
        engine.dispose()


def _run(connection: Any) -> None:
    configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
