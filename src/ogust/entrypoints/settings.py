"""Settings from the environment (OGUST_*), with defaults that run on one machine, no account needed."""
from __future__ import annotations

import os
import secrets
import shlex
from dataclasses import dataclass, field
from pathlib import Path

_FILE_VALUES: dict[str, str] = {}


def load_env_file(path: Path) -> None:
    """Defaults kept in ``var/ogust.env`` (written by ``ogust demo``); the environment wins."""
    _FILE_VALUES.clear()
    if path.exists():
        for line in path.read_text().splitlines():
            name, sep, value = line.partition("=")
            if sep and name.strip().startswith("OGUST_") and not name.strip().startswith("#"):
                _FILE_VALUES[name.strip()] = _unquoted(value.strip())


def _unquoted(value: str) -> str:
    """A value as a shell reads it when quoted (the file is sourced by shells too): 'a & b' is a & b."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        try:
            [word] = shlex.split(value)
        except ValueError:
            return value
        return word
    return value


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"OGUST_{name}") or _FILE_VALUES.get(f"OGUST_{name}")
    return value if value not in (None, "") else default


def _flag(name: str, default: bool = False) -> bool:
    value = _env(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def data_dir() -> Path:
    """Where ogust keeps its files (SQLite database, secret key, emails written to files): OGUST_VAR_DIR,
    else the user's data folder ($XDG_DATA_HOME/ogust, or ~/.local/share/ogust) — never the folder a
    command happens to be run from (it used to be ./var there: /var/ogust.db when run from /)."""
    configured = os.environ.get("OGUST_VAR_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home).expanduser().resolve() / "ogust"


def locate() -> tuple[Path, str]:
    """The data folder and the database URL, from the environment (and the folder's ogust.env), without
    creating anything."""
    var_dir = data_dir()
    load_env_file(var_dir / "ogust.env")
    return var_dir, _env("DATABASE_URL", f"sqlite:///{var_dir / 'ogust.db'}")


def sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite URL (None for another database, or one in memory)."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        return None
    path = database_url[len(prefix):].split("?", 1)[0]
    return None if path in ("", ":memory:") else Path(path)


def _secret_key(var_dir: Path) -> str:
    """OGUST_SECRET_KEY, or a key generated once and kept in the var folder."""
    configured = _env("SECRET_KEY")
    if configured:
        return configured
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    base_url: str
    secret_key: str
    company_id: str | None
    shop_url: str | None
    shop_api_key: str
    stripe_api_key: str
    stripe_api_base: str | None
    stripe_webhook_secret: str | None
    smtp_host: str | None
    smtp_port: int
    smtp_username: str | None
    smtp_password: str | None
    smtp_starttls: bool
    mail_sender: str
    mail_dir: Path
    run_worker_in_api: bool = True
    worker_lease_seconds: float = 60.0  # a job held longer by a dead worker is taken over by another
    payment_rate_limit: float = 25.0  # debits per second at most in a month-end run (the gateway's cap)
    month_end_concurrency: int = 8  # debits at once in a month-end run
    # the payment page confirms a debit the bank holds for 3-D Secure with Stripe.js (pk_…)
    stripe_publishable_key: str | None = None
    stripe_js_url: str = "https://js.stripe.com/v3/"
    # PostgreSQL with least privilege: ``ogust db upgrade`` connects as the tables' owner through this
    # URL; every other command (and the server) through database_url, as the application's role
    migration_database_url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        var_dir, database_url = locate()
        return cls(
            var_dir=var_dir,
            database_url=database_url,
            base_url=_env("BASE_URL", "http://127.0.0.1:8000"),
            secret_key=_secret_key(var_dir),
            company_id=_env("COMPANY_ID"),
            shop_url=_env("SHOP_URL"),
            shop_api_key=_env("SHOP_API_KEY", "demo-shop-key"),
            stripe_api_key=_env("STRIPE_API_KEY", "sk_test_ogust_demo"),
            stripe_api_base=_env("STRIPE_API_BASE"),
            stripe_webhook_secret=_env("STRIPE_WEBHOOK_SECRET"),
            smtp_host=_env("SMTP_HOST"),
            smtp_port=int(_env("SMTP_PORT", "25")),
            smtp_username=_env("SMTP_USERNAME"),
            smtp_password=_env("SMTP_PASSWORD"),
            smtp_starttls=_flag("SMTP_STARTTLS"),
            mail_sender=_env("MAIL_SENDER", "ogust <no-reply@ogust.local>"),
            mail_dir=Path(_env("MAIL_DIR", str(var_dir / "mail"))),
            run_worker_in_api=_flag("RUN_WORKER", True),
            worker_lease_seconds=float(_env("WORKER_LEASE_SECONDS", "60")),
            payment_rate_limit=float(_env("PAYMENT_RATE_LIMIT", "25")),
            month_end_concurrency=int(_env("MONTH_END_CONCURRENCY", "8")),
            stripe_publishable_key=_env("STRIPE_PUBLISHABLE_KEY"),
            stripe_js_url=_env("STRIPE_JS_URL", "https://js.stripe.com/v3/"),
            migration_database_url=_env("MIGRATION_DATABASE_URL"),
        )
