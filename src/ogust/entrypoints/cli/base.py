"""What every CLI command shares: the container, the company, errors, output."""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlalchemy.exc import OperationalError

from ogust.application.ports import PaymentOutcomeUnknown, ShopRejected, ShopUnavailable
from ogust.domain.errors import DomainError
from ogust.entrypoints.container import Container, build_container
from ogust.entrypoints.errors import describe, exit_code
from ogust.entrypoints.settings import locate, sqlite_file


@dataclass
class Cli:
    queue_only: bool = False
    may_create_database: bool = False  # ogust db upgrade, serve: they make the database they find missing
    _container: Container | None = field(default=None, repr=False)

    @property
    def container(self) -> Container:
        if self._container is None:
            if not self.may_create_database:
                refuse_missing_database()
            self._container = build_container()
        return self._container

    def company_id(self) -> str:
        return self.container.queries().company(self.container.settings().company_id).id

    def local(self, moment: datetime) -> datetime:
        """A moment in the company's time zone (Europe/Paris), as operators read it."""
        company = self.container.queries().company(self.container.settings().company_id)
        return moment.astimezone(ZoneInfo(company.timezone))

    def drain(self) -> None:
        """Perform the side effects just queued (shop, debit, email), unless --queue-only.
        Progress goes to stderr: stdout stays the command's result (JSON with --json)."""
        if self.queue_only:
            click.echo("Effets mis en file d'attente (ils seront faits par « ogust worker »).", err=True)
            return
        performed = self.container.processor().run_until_idle()
        if performed:
            counts = self.container.queries().outbox_counts(self.company_id())
            said = f"{performed} effet(s) traité(s)"
            if counts.get("pending"):  # failed and to be tried again (an outage), or held by a month end
                said += f" ; {counts['pending']} en attente d'un nouvel essai (ogust outbox list)"
            if counts.get("dead"):
                said += f" ; {counts['dead']} abandonné(s) (ogust outbox list --status dead)"
            click.echo(said + ".", err=True)


pass_cli = click.make_pass_decorator(Cli, ensure=True)


def refuse_missing_database() -> None:
    """A SQLite database that is not there is an error saying where it was looked for and how to make one
    — never a new empty file (SQLite makes one on connecting), nor a secret key beside it."""
    var_dir, url = locate()
    path = sqlite_file(url)
    if path is not None and not path.exists():
        raise click.ClickException(
            f"pas de base de données : {path} n'existe pas. Créez-la avec « ogust db upgrade » (ou lancez la "
            "démonstration : ./scripts/run), ou indiquez la vôtre : OGUST_VAR_DIR (dossier des données, ici "
            f"{var_dir}) ou OGUST_DATABASE_URL. « ogust info » dit ce qu'ogust utilise.")


class OgustGroup(click.Group):
    """Turns known errors into a readable French message and a non-zero exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (DomainError, ShopUnavailable, ShopRejected, PaymentOutcomeUnknown) as error:
            status, code, message, _ = describe(error)
            click.secho(f"Erreur ({code}) : {message}", fg="red", err=True)
            sys.exit(exit_code(status))
        except OperationalError as error:  # a database server not answering, or a database never migrated
            url = ctx.obj.container.settings().database_url if isinstance(ctx.obj, Cli) else "?"
            click.secho(f"Erreur (database) : base de données inaccessible ou non initialisée ({url} : "
                        f"{error.orig}). Vérifiez OGUST_DATABASE_URL (ou OGUST_VAR_DIR : « ogust info »), "
                        "puis « ogust db upgrade ».", fg="red", err=True)
            sys.exit(1)


class EurosType(click.ParamType):
    """An amount in euros typed by an operator ('27,50'), as integer cents."""

    name = "montant"

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int):
            return value
        try:
            return euros_to_cents(str(value))
        except click.BadParameter as error:
            self.fail(error.message, param, ctx)


EUROS = EurosType()


class FrenchDateType(click.ParamType):
    """A day as an operator types it: 08/12/2026 (JJ/MM/AAAA) or 2026-12-08 (AAAA-MM-JJ), as a datetime
    at midnight (what click.DateTime gave before)."""

    name = "date"
    FORMATS = ("%d/%m/%Y", "%Y-%m-%d")

    def convert(self, value, param, ctx) -> datetime:
        if isinstance(value, datetime):
            return value
        day = parse_day(str(value))
        if day is None:
            self.fail(f"date illisible : {str(value).strip()!r} (JJ/MM/AAAA ou AAAA-MM-JJ, un jour qui existe, "
                      "ex. 08/12/2026)", param, ctx)
        return day


def parse_day(text: str) -> datetime | None:
    """08/12/2026 or 2026-12-08 (a day that exists) at midnight; None otherwise."""
    for pattern in FrenchDateType.FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
    return None


DATE = FrenchDateType()


class FrenchFloatRange(click.FloatRange):
    """A number with a decimal comma (2,5) or point (2.5), in a range."""

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().convert(value, param, ctx)


class VatRateType(click.Choice):
    """A VAT rate in percent: 5,5 or 5.5, 10, 20 (a % sign allowed), as the text VatRate.from_percent reads."""

    name = "taux"

    def __init__(self) -> None:
        super().__init__(["5,5", "10", "20"])

    def convert(self, value, param, ctx) -> str:
        text = str(value).strip().rstrip("%").strip().replace(".", ",")
        if text.endswith(",0"):
            text = text[:-2]
        return super().convert(text, param, ctx).replace(",", ".")


VAT = VatRateType()


def euros_to_cents(text: str) -> int:
    """'27,50' or '27.50' → 2750; refuses more than two decimals and non-positive amounts."""
    try:
        value = Decimal(text.replace(",", ".").replace("€", "").strip())
    except InvalidOperation as error:
        raise click.BadParameter(f"montant illisible : {text!r} (ex. 27,50)") from error
    if not value.is_finite():
        raise click.BadParameter(f"montant invalide : {text!r} (un nombre, ex. 27,50)")
    cents = value * 100
    if cents != cents.to_integral_value() or cents <= 0:
        raise click.BadParameter(f"montant invalide : {text!r} (positif, au centime près)")
    return int(cents)


def write_file(path: str | os.PathLike, content: bytes) -> None:
    """Write a file the operator named; a folder that does not exist, or no right to write, is said
    in French (exit 1) rather than a traceback."""
    try:
        with open(path, "wb") as file:
            file.write(content)
    except OSError as error:
        raise click.ClickException(f"Impossible d'écrire {path} : {error.strerror or error}.") from None


def output(data: Any, as_json: bool, lines: list[str] | None = None) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        for line in lines or []:
            click.echo(line)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Sortie JSON (pour un script).")(f)
