"""ogust's own command line as separate processes (``ogust worker``, ``ogust invoice run`` …),
configured through the environment exactly as in production (OGUST_* variables)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ogust.entrypoints.settings import Settings


def ogust_command() -> list[str]:
    script = Path(sys.executable).parent / "ogust"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from ogust.entrypoints.cli import main; main()"]


def ogust_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a process that uses the same database and servers as ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGUST_")}
    values = {
        "VAR_DIR": str(settings.var_dir),
        "DATABASE_URL": settings.database_url,
        "BASE_URL": settings.base_url,
        "SECRET_KEY": settings.secret_key,
        "COMPANY_ID": settings.company_id,
        "SHOP_URL": settings.shop_url,
        "SHOP_API_KEY": settings.shop_api_key,
        "STRIPE_API_KEY": settings.stripe_api_key,
        "STRIPE_API_BASE": settings.stripe_api_base,
        "STRIPE_WEBHOOK_SECRET": settings.stripe_webhook_secret,
        "SMTP_HOST": settings.smtp_host,
        "SMTP_PORT": str(settings.smtp_port),
        "MAIL_SENDER": settings.mail_sender,
        "RUN_WORKER": "true" if settings.run_worker_in_api else "false",
        **extra,
    }
    env.update({f"OGUST_{name}": value for name, value in values.items() if value})
    return env


def start_ogust(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """``ogust ARGS…`` in the background, its output in ``log``."""
    with open(log, "wb") as out:
        return subprocess.Popen([*ogust_command(), *args], env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)


def run_ogust(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*ogust_command(), *args], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)
