"""Shared fixtures: test databases (SQLite, and PostgreSQL when OGUST_TEST_DATABASE_URL is set) and the
real parts (localstripe, SMTP, the reference shop) with ogust wired to them."""

pytest_plugins = ["tests.support.databases", "tests.support.platform"]
