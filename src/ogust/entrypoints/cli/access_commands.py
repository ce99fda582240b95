"""API keys, the audit log and the shop's signing secret. The CLI is trusted local access: it acts for
OGUST_COMPANY_ID (or the only company) and is recorded in the audit log as ``cli:<user>``."""
from __future__ import annotations

import json
from datetime import timedelta

import click

from ogust.entrypoints.cli.base import Cli, OgustGroup, json_option, output, pass_cli


def _key(key) -> dict:
    return {"id": key.id, "name": key.name, "scopes": list(key.scopes), "prefix": key.prefix,
            "created_at": key.created_at.isoformat(),
            "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
            "status": "active" if key.active else "revoked"}


@click.group(cls=OgustGroup)
def key() -> None:
    """Clés d'API de l'entreprise (montrées une seule fois, gardées hachées)."""


@key.command("create")
@click.option("--name", required=True, help="À quoi sert la clé (ex. « boutique », « comptable »)")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(["operator", "read", "shop"]),
              help="operator : tous les cas d'usage ; read : lecture ; shop : ce que la boutique lit")
@json_option
@pass_cli
def key_create(cli: Cli, name, scopes, as_json) -> None:
    """Créer une clé d'API : son secret n'est montré qu'une fois."""
    issued = cli.container.api_keys().create(cli.company_id(), name, tuple(scopes))
    output({**_key(issued.key), "key": issued.token}, as_json, [
        f"Clé « {issued.key.name} » ({', '.join(issued.key.scopes)}) créée : {issued.key.id}",
        issued.token,
        "Copiez-la maintenant : elle ne sera plus jamais affichée (seule son empreinte est gardée)."])


@key.command("list")
@json_option
@pass_cli
def key_list(cli: Cli, as_json) -> None:
    """Les clés d'API (sans leur secret)."""
    keys = cli.container.api_keys().list(cli.company_id())
    output([_key(k) for k in keys], as_json,
           [f"{k.id}  ogk_{k.prefix}_…  {k.name:<20} {','.join(k.scopes):<14} "
            f"{'active' if k.active else 'révoquée'}" for k in keys] or ["Aucune clé."])


@key.command("rotate")
@click.argument("key_id")
@json_option
@pass_cli
def key_rotate(cli: Cli, key_id, as_json) -> None:
    """Un nouveau secret pour la clé ; l'ancien cesse de marcher aussitôt."""
    issued = cli.container.api_keys().rotate(cli.company_id(), key_id)
    output({**_key(issued.key), "key": issued.token}, as_json, [
        f"Nouvelle valeur de la clé « {issued.key.name} » : {issued.token}",
        "L'ancienne ne marche plus. Copiez celle-ci maintenant : elle ne sera plus affichée."])


@key.command("revoke")
@click.argument("key_id")
@json_option
@pass_cli
def key_revoke(cli: Cli, key_id, as_json) -> None:
    """Révoquer une clé d'API : elle cesse de marcher aussitôt."""
    revoked = cli.container.api_keys().revoke(cli.company_id(), key_id)
    output(_key(revoked), as_json, [f"Clé « {revoked.name} » révoquée."])


@click.command()
@click.option("--entity", default=None, help="L'id d'un objet (facture, client, clé…)")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, help="Au plus (défaut : 50)")
@json_option
@pass_cli
def audit(cli: Cli, entity, limit, as_json) -> None:
    """Journal d'audit : qui a changé quoi, quand (du plus récent au plus ancien)."""
    entries = cli.container.audit_log().entries(cli.company_id(), entity, limit)
    output([{"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "entity_type": e.entity_type,
             "entity_id": e.entity_id, "action": e.action, "changes": e.changes,
             "redacted_at": e.redacted_at.isoformat() if e.redacted_at else None} for e in entries], as_json,
           [f"{cli.local(e.at):%d/%m/%Y %H:%M:%S}  {e.actor:<30} {_ACTIONS.get(e.action, e.action):<8} "
            f"{e.entity_type} {e.entity_id}  "
            f"{json.dumps(e.changes.get('after', {}), ensure_ascii=False)[:120]}" for e in entries]
           or ["Aucune entrée."])


_ACTIONS = {"created": "créé", "updated": "modifié", "deleted": "supprimé"}  # as an operator reads them


@click.command("rotate-secret")
@click.option("--grace-hours", type=click.FloatRange(0, 24 * 30), default=24.0, show_default=True,
              help="Pendant combien d'heures l'ancien secret reste accepté")
@click.option("--webhook-secret", default=None, help="Le nouveau secret (généré sinon)")
@json_option
@pass_cli
def shop_rotate_secret(cli: Cli, grace_hours, webhook_secret, as_json) -> None:
    """Nouveau secret de signature des commandes ; l'ancien reste valable pendant la période de grâce."""
    secret = cli.container.rotate_shop_secret()(cli.company_id(), timedelta(hours=grace_hours), webhook_secret)
    output({"webhook_secret": secret, "previous_valid_hours": grace_hours}, as_json, [
        f"Nouveau secret de signature : {secret}",
        f"Donnez-le à la boutique ; l'ancien reste accepté {grace_hours:g} h."])
