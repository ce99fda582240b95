"""Alembic migration environment (a package so that it ships in the wheel)."""
