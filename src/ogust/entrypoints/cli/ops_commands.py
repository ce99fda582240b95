"""ogust outbox / emails / worker / serve / db: running and watching the side effects."""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from datetime import date

import click

from ogust.application.access import set_actor
from ogust.application.outbox import JobStatus
from ogust.entrypoints import serializers as s
from ogust.entrypoints.cli.base import Cli, OgustGroup, json_option, output, pass_cli
from ogust.entrypoints.settings import locate, sqlite_file


@click.group(cls=OgustGroup)
def outbox() -> None:
    """Les effets (boutique, débits, emails) en attente, faits ou en échec."""


@outbox.command("list")
@click.option("--status", type=click.Choice([x.value for x in JobStatus]), default=None, help="Seulement cet état")
@click.option("--limit", type=click.IntRange(1, 1000), default=200, help="Au plus (défaut : 200)")
@json_option
@pass_cli
def outbox_list(cli: Cli, status, limit, as_json) -> None:
    """La file des effets (boutique, débits, emails), les plus récents d'abord."""
    queries = cli.container.queries()
    company_id = cli.company_id()
    jobs = queries.outbox(company_id, JobStatus(status) if status else None, limit)
    counts = queries.outbox_counts(company_id)
    output({"counts": counts, "jobs": [s.job(j) for j in jobs]}, as_json,
           [f"{j.id}  {j.status.label_fr:<10} {j.effect:<28} essais {j.attempts}" + _when(cli, j)
            + (f"  — {j.last_error}" if j.last_error and j.status is not JobStatus.DONE else "") for j in jobs]
           + ["Bilan : " + (", ".join(f"{s.label_fr} {counts[s.value]}" for s in JobStatus if s.value in counts)
                            or "vide")])


def _when(cli: Cli, job) -> str:
    """When a job that failed is tried again (or was given up), in the company's time zone."""
    if job.status is JobStatus.PENDING and job.attempts:
        return f"  nouvel essai le {cli.local(job.available_at):%d/%m/%Y à %H:%M}"
    if job.status is JobStatus.DEAD:
        return "  abandonné : « ogust outbox retry " + job.id + " »"
    return ""


@outbox.command("retry")
@click.argument("job_id", required=False)
@click.option("--all-dead", is_flag=True, help="Relancer tous les effets abandonnés de l'entreprise (après une panne)")
@pass_cli
def outbox_retry(cli: Cli, job_id, all_dead) -> None:
    """Relancer un effet abandonné (JOB_ID), ou tous avec --all-dead : une nouvelle série d'essais."""
    if bool(job_id) == all_dead:
        raise click.UsageError("Donnez l'id d'un effet, ou --all-dead (pas les deux).")
    if all_dead:
        retried = cli.container.outbox_admin().retry_dead(cli.company_id())
        click.echo(f"{len(retried)} effet(s) abandonné(s) remis en file.")
    else:
        job = cli.container.outbox_admin().retry(job_id)
        click.echo(f"Effet {job.id} ({job.effect}) remis en file.")
    cli.drain()


@click.command()
@json_option
@pass_cli
def emails(cli: Cli, as_json) -> None:
    """Les emails envoyés (ou en échec) aux clients."""
    rows = cli.container.queries().emails(cli.company_id())
    output(rows, as_json, [f"{cli.local(r['at']):%d/%m/%Y %H:%M}  {r['status_label']:<10} {r['to_email']:<30} "
                           f"{r['subject']}" + (f" — {r['error']}" if r.get("error") else "") for r in rows]
           or ["Aucun email."])


@click.command()
@click.option("--once", is_flag=True, help="Traiter ce qui est dû puis s'arrêter")
@pass_cli
def worker(cli: Cli, once) -> None:
    """Le processus qui effectue les effets ; plusieurs peuvent tourner en même temps."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    set_actor("worker")
    processor = cli.container.processor()
    if once:
        click.echo(f"{processor.run_until_idle()} effet(s) traité(s).")
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(f"Worker {processor.name} démarré (Ctrl-C pour arrêter).")
    processor.run_forever(stop)


@click.command()
@click.option("--host", default="127.0.0.1", help="Adresse d'écoute (défaut : 127.0.0.1)")
@click.option("--port", type=int, default=8000, help="Port (défaut : 8000)")
@click.option("--worker/--no-worker", "with_worker", default=None, help="Lancer un worker dans le serveur")
@pass_cli
def serve(cli: Cli, host, port, with_worker) -> None:
    """Le serveur REST (OpenAPI sur /docs)."""
    import uvicorn

    from ogust.entrypoints.api.app import create_app

    cli.may_create_database = True
    _prepare_schema(cli.container.settings().database_url)
    uvicorn.run(create_app(cli.container, run_worker=with_worker), host=host, port=port)


@click.group(cls=OgustGroup)
def db() -> None:
    """La base de données."""


def _prepare_schema(url: str) -> None:
    """A server's start: the schema upgraded (SQLite, or the owner's URL), else checked at head."""
    from ogust.adapters.persistence.roles import SchemaNotAtHead, prepare_schema

    try:
        prepare_schema(url)
    except SchemaNotAtHead as error:
        click.secho(f"Erreur (schema) : {error}.", fg="red", err=True)
        sys.exit(1)


@db.command("upgrade")
@click.option("--app-role", default=None, metavar="RÔLE",
              help="PostgreSQL : le rôle de l'application, à qui accorder ses droits (lecture et écriture, "
                   "audit_log en ajout seul). Défaut : l'utilisateur de OGUST_DATABASE_URL quand "
                   "OGUST_MIGRATION_DATABASE_URL en nomme un autre.")
@pass_cli
def db_upgrade(cli: Cli, app_role) -> None:
    """Appliquer les migrations Alembic, en propriétaire des tables (OGUST_MIGRATION_DATABASE_URL si
    donnée, sinon OGUST_DATABASE_URL), puis accorder au rôle de l'application ses droits."""
    from ogust.adapters.persistence.database import MigrationRefused, normalise_url
    from ogust.adapters.persistence.roles import RoleRefused, upgrade_and_grant

    cli.may_create_database = True
    settings = cli.container.settings()
    url = normalise_url(settings.migration_database_url or settings.database_url)
    if app_role is None and settings.migration_database_url:
        application_user = normalise_url(settings.database_url).username
        app_role = application_user if application_user != url.username else None
    if app_role and url.get_backend_name() != "postgresql":
        raise click.UsageError("--app-role : SQLite n'a pas de rôles (PostgreSQL seulement).")
    try:
        upgrade_and_grant(url, app_role)
    except MigrationRefused as refused:  # rows that break a rule the migration installs: listed, nothing changed
        click.secho(f"Erreur (migration) : {refused}", fg="red", err=True)
        sys.exit(1)
    except RoleRefused as error:
        click.secho(f"Erreur (role) : {error}.", fg="red", err=True)
        sys.exit(1)
    click.echo(f"Base à jour : {url.render_as_string(hide_password=True)}")
    if app_role:
        click.echo(f"Droits accordés au rôle « {app_role} » (audit_log : lecture et ajout seulement).")


@click.command()
@json_option
def info(as_json) -> None:
    """Ce qu'ogust utilise ici : dossier des données, base de données, clé secrète, emails (sans rien créer)."""
    var_dir, url = locate()
    path = sqlite_file(url)
    env_file = var_dir / "ogust.env"
    secret = ("OGUST_SECRET_KEY" if os.environ.get("OGUST_SECRET_KEY")
              else f"{var_dir / 'secret_key'}" + ("" if (var_dir / "secret_key").exists() else " (créée au besoin)"))
    data = {"var_dir": str(var_dir), "var_dir_from": "OGUST_VAR_DIR" if os.environ.get("OGUST_VAR_DIR")
            else "dossier de données de l'utilisateur", "database_url": safe_url(url),
            "database_exists": None if path is None else path.exists(),
            "env_file": str(env_file) if env_file.exists() else None, "secret_key": secret}
    output(data, as_json, [
        f"Dossier des données : {var_dir} ({data['var_dir_from']})",
        f"Base de données     : {safe_url(url)}" + ("" if path is None or path.exists()
                                                     else " — absente : « ogust db upgrade » la crée"),
        f"Configuration lue   : {env_file if env_file.exists() else 'variables OGUST_* seulement'}",
        f"Clé secrète (liens) : {secret}",
    ])


def safe_url(url: str) -> str:
    """A database URL without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an URL SQLAlchemy cannot read: said as given, it holds no password it could parse
        return url


@click.command()
@click.option("--port", type=int, default=8000, help="Port de l'API ogust")
@click.option("--shop-port", type=int, default=8700, help="Port de la boutique de référence")
@click.option("--stripe-port", type=int, default=8420, help="Port du Stripe local")
@click.option("--smtp-port", type=int, default=8025, help="Port du serveur SMTP de démonstration")
@pass_cli
def demo(cli: Cli, port, shop_port, stripe_port, smtp_port) -> None:
    """Tout sur cette machine : ogust (SQLite) avec des données de démo, un Stripe local,
    la boutique de référence et un serveur SMTP qui garde les emails dans var/mail/inbox."""
    import uvicorn

    from ogust.entrypoints import demo as d
    from ogust.entrypoints.api.app import create_app
    from ogust.entrypoints.container import build_container
    from ogust.entrypoints.settings import Settings

    ports = d.Ports(api=port, shop=shop_port, stripe=stripe_port, smtp=smtp_port)
    var_dir = Settings.from_env().var_dir
    d.env_file(var_dir, ports)
    processes = d.start_parts(var_dir, ports)
    inbox = d.Inbox(var_dir / "mail" / "inbox", ports.smtp)
    inbox.start()
    try:
        container = build_container(Settings.from_env())
        _prepare_schema(container.settings().database_url)
        company_id = d.seed(container, d.StripeAccount(f"http://127.0.0.1:{ports.stripe}", d.STRIPE_KEY))
        click.echo(DEMO_BANNER.format(api=ports.api, shop=ports.shop, var=var_dir, last=date.today().year - 1))
        if not container.api_keys().list(company_id):  # the API wants a key: the demo's, shown this once
            token = container.api_keys().create(company_id, "démo", ("operator",)).token
            click.echo(f"  Clé d'API (opérateur) : {token}\n  (montrée une seule fois ; "
                       "« ogust key create » en crée d'autres)\n")
        uvicorn.run(create_app(container, run_worker=True), host="127.0.0.1", port=ports.api, log_level="warning")
    finally:
        inbox.stop()
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


DEMO_BANNER = """
ogust tourne avec des données de démonstration.
  API et documentation : http://127.0.0.1:{api}/docs
  Boutique (référence) : http://127.0.0.1:{shop}/docs  — compte acc_demo
  Emails reçus         : {var}/mail/inbox/*.eml
  Cliente              : Claire Dubois — son année {last} (chèque, CESU, virement, carte, un avoir)
                         et sa visite d'aujourd'hui, commencée : l'histoire du README se joue telle quelle
  Dans un autre terminal : export OGUST_VAR_DIR={var}  puis  .venv/bin/ogust --help
                           (même configuration, lue dans {var}/ogust.env)
Ctrl-C pour tout arrêter.
"""
