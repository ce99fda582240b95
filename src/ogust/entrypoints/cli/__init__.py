"""The ogust command line."""
from __future__ import annotations

import getpass

import click

from ogust.application.access import reset_actor, set_actor
from ogust.entrypoints.cli import (
    access_commands,
    accounting_commands,
    billing_commands,
    click_fr,
    credit_note_commands,
    import_commands,
    ops_commands,
    people_commands,
    setup_commands,
)
from ogust.entrypoints.cli.base import Cli, OgustGroup

click_fr.install()


@click.group(cls=OgustGroup)
@click.option("--queue-only", is_flag=True,
              help="Mettre les effets en file sans les traiter (un « ogust worker » s'en charge)")
@click.pass_context
def main(ctx: click.Context, queue_only: bool) -> None:
    """ogust — back office SAP relié à la boutique en ligne."""
    ctx.obj = Cli(queue_only=queue_only)
    token = set_actor(f"cli:{_user()}")  # the audit log's "who", for this run only
    ctx.call_on_close(lambda: reset_actor(token))


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "inconnu"


for command in (setup_commands.company, setup_commands.tarif, setup_commands.shop, people_commands.intervenant,
                people_commands.client, billing_commands.order, billing_commands.devis, billing_commands.intervention,
                billing_commands.invoice, billing_commands.attestation, credit_note_commands.credit_note,
                ops_commands.outbox, ops_commands.emails,
                ops_commands.worker, ops_commands.serve, ops_commands.db, ops_commands.demo, ops_commands.info):
    main.add_command(command)

for command in (access_commands.key, access_commands.audit, accounting_commands.accounting,
                import_commands.import_):
    main.add_command(command)
setup_commands.shop.add_command(access_commands.shop_rotate_secret)
