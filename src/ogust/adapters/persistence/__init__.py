"""Persistence with SQLAlchemy 2: tables, imperative mappers, repositories, the unit of work and
the outbox, on SQLite (embedded default) or PostgreSQL. Migrations with Alembic (``alembic/``)."""
