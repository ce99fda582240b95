"""ogust intervenant / client: records, planning, sending to the shop."""
from __future__ import annotations

from datetime import datetime, timedelta

import click

from ogust.application import commands as c
from ogust.application.gdpr import EraseClient
from ogust.application.shop_sync_service import RecordReport
from ogust.domain.address import Address
from ogust.domain.intervenant import ShopProfile
from ogust.domain.validation import check_year
from ogust.entrypoints import serializers as s
from ogust.entrypoints.cli.base import DATE, Cli, OgustGroup, json_option, output, pass_cli, write_file
from ogust.entrypoints.gdpr_export import client_data_zip

# said of the record (« la fiche »), whoever it is: « Paul Martin : fiche envoyée à la boutique »
_OUTCOMES = {"sent": "fiche envoyée à la boutique", "unchanged": "fiche déjà à jour dans la boutique",
             "failed": "échec de l'envoi de la fiche", "queued": "envoi de la fiche en file d'attente"}


def _show_report(report: RecordReport, as_json: bool) -> None:
    line = f"{report.label} : {_OUTCOMES[report.outcome]}" + (f" — {report.reason}" if report.reason else "")
    output(s.report(report), as_json, [line])
    if report.outcome == "failed":
        raise SystemExit(5)


_SYNC_STATUS = {"never_sent": "jamais envoyée", "in_sync": "à jour", "changed": "modifiée depuis l'envoi",
                "failed": "en échec"}


def _sync_line(record) -> str:
    status = record.sync_status.value
    return _SYNC_STATUS.get(status, status) + (
        f" ({record.sync_failure})" if record.sync_failure and status == "failed" else "")


@click.group(cls=OgustGroup)
def intervenant() -> None:
    """Les intervenants, leur planning et leur fiche boutique."""


def _profile_options(f):
    for option in reversed([
        click.option("--presentation", default=None, help="Présentation montrée aux clients de la boutique"),
        click.option("--service", "services", multiple=True, help="Service boutique proposé (répétable)"),
        click.option("--zone", "zones", multiple=True, help="Code postal desservi (répétable)"),
        click.option("--skill", "skills", multiple=True, help="Compétence (répétable)"),
    ]):
        f = option(f)
    return f


@intervenant.command("create")
@click.option("--first-name", required=True, help="Prénom")
@click.option("--last-name", required=True, help="Nom")
@click.option("--matricule", required=True, help="Matricule de paie (ex. M001)")
@click.option("--email", default="", help="Email")
@click.option("--phone", default="", help="Téléphone (ex. 06 12 34 56 78)")
@_profile_options
@json_option
@pass_cli
def intervenant_create(cli: Cli, first_name, last_name, matricule, email, phone, presentation, services, zones,
                       skills, as_json) -> None:
    """Créer un intervenant (salarié) : identité, matricule, services, zones et compétences."""
    created = cli.container.create_intervenant()(c.CreateIntervenant(
        cli.company_id(), first_name, last_name, matricule, email, phone,
        ShopProfile(presentation or "", services, zones, skills)))
    output(s.intervenant(created), as_json,
           [f"Intervenant créé : {created.full_name} ({created.matricule}) — {created.id}"])


@intervenant.command("update")
@click.argument("ref")
@click.option("--email", default=None, help="Nouvel email")
@click.option("--phone", default=None, help="Nouveau téléphone")
@_profile_options
@json_option
@pass_cli
def intervenant_update(cli: Cli, ref, email, phone, presentation, services, zones, skills, as_json) -> None:
    """Modifier une fiche (REF : id ou matricule). Les options de profil remplacent les valeurs."""
    company_id = cli.company_id()
    current = cli.container.queries().intervenant_ref(company_id, ref)
    changes = {k: v for k, v in {"email": email, "phone": phone}.items() if v is not None}
    profile: dict[str, object] = {k: v for k, v in {"services": services, "zones": zones, "skills": skills}.items()
                                  if v}  # a list given replaces that list only; the others are kept
    if presentation is not None:
        profile["presentation"] = presentation
    updated = cli.container.update_intervenant()(c.UpdateIntervenant(company_id, current.id, tuple(changes.items()),
                                                                      tuple(profile.items())))
    output(s.intervenant(updated), as_json, [f"{updated.full_name} : fiche mise à jour ({_sync_line(updated)})."])


@intervenant.command("list")
@json_option
@pass_cli
def intervenant_list(cli: Cli, as_json) -> None:
    """Les intervenants, avec l'état de leur fiche à la boutique."""
    found = cli.container.queries().intervenants(cli.company_id())
    output([s.intervenant(i) for i in found], as_json,
           [f"{i.matricule:<8} {i.full_name:<28} boutique : {_sync_line(i):<12} {i.id}" for i in found]
           or ["Aucun intervenant."])


@intervenant.command("show")
@click.argument("ref")
@json_option
@pass_cli
def intervenant_show(cli: Cli, ref, as_json) -> None:
    """La fiche d'un intervenant (REF : id ou matricule)."""
    i = cli.container.queries().intervenant_ref(cli.company_id(), ref)
    output(s.intervenant(i), as_json, [
        f"{i.full_name} ({i.matricule}) — {i.id}", f"Contact : {i.email} {i.phone}",
        f"Services : {', '.join(i.profile.services) or '—'} ; zones : {', '.join(i.profile.zones) or '—'}",
        f"Compétences : {', '.join(i.profile.skills) or '—'}", f"Boutique : {_sync_line(i)}",
    ])


@intervenant.command("sync")
@click.argument("ref")
@click.option("--force", is_flag=True, help="Renvoyer même si la boutique est à jour")
@json_option
@pass_cli
def intervenant_sync(cli: Cli, ref, force, as_json) -> None:
    """Synchroniser l'intervenant sur la boutique (profil et compétences)."""
    company_id = cli.company_id()
    found = cli.container.queries().intervenant_ref(company_id, ref)
    _show_report(cli.container.shop_sync().sync_intervenant(c.SyncIntervenant(company_id, found.id, force)), as_json)


@intervenant.command("planning")
@click.argument("ref")
@click.option("--from", "start", type=DATE, default=None, help="Premier jour (JJ/MM/AAAA ou AAAA-MM-JJ)")
@click.option("--to", "end", type=DATE, default=None, help="Dernier jour inclus")
@json_option
@pass_cli
def intervenant_planning(cli: Cli, ref, start, end, as_json) -> None:
    """Le planning d'un intervenant (REF : id ou matricule) ; par défaut, d'un mois avant aujourd'hui
    à deux mois après."""
    company_id = cli.company_id()
    queries = cli.container.queries()
    found = queries.intervenant_ref(company_id, ref)
    zone = cli.local(datetime.now().astimezone()).tzinfo
    for day, option in ((start, "from"), (end, "to")):  # before any arithmetic on the day
        if day is not None:
            check_year(day.year, option)
    begin = start.replace(tzinfo=zone) if start else None
    finish = end.replace(tzinfo=zone) + timedelta(days=1) if end else None
    items = queries.planning(company_id, found.id, begin, finish)
    output([s.intervention(i) for i in items], as_json,
           [f"{cli.local(i.start):%d/%m/%Y %H:%M}–{cli.local(i.end):%H:%M}  {i.status.label_fr:<9} "
            f"{i.address.one_line()}  {i.id}" for i in items] or ["Aucune intervention sur la période."])


@click.group(cls=OgustGroup)
def client() -> None:
    """Les clients."""


@client.command("create")
@click.option("--first-name", required=True, help="Prénom")
@click.option("--last-name", required=True, help="Nom")
@click.option("--email", required=True, help="Email (identifie le client à la boutique)")
@click.option("--street", required=True, help="N° et rue du lieu d'intervention")
@click.option("--postal-code", required=True, help="Code postal (5 chiffres)")
@click.option("--city", required=True, help="Ville")
@click.option("--phone", default="", help="Téléphone (ex. 06 12 34 56 78)")
@json_option
@pass_cli
def client_create(cli: Cli, first_name, last_name, email, street, postal_code, city, phone, as_json) -> None:
    """Créer un client : identité, email, adresse d'intervention."""
    created = cli.container.create_client()(c.CreateClient(
        cli.company_id(), first_name, last_name, email, Address(street, postal_code, city), phone))
    output(s.client(created), as_json, [f"Client créé : {created.full_name} — {created.id}"])


@client.command("list")
@json_option
@pass_cli
def client_list(cli: Cli, as_json) -> None:
    """Les clients, avec l'état de leur fiche à la boutique."""
    found = cli.container.queries().clients(cli.company_id())
    output([s.client(x) for x in found], as_json,
           [f"{x.full_name:<28} {x.email:<30} {x.origin.label_fr:<11} boutique : {_sync_line(x):<12} "
            f"{x.shop_client_id or '—':<20} {x.id}" for x in found] or ["Aucun client."])


@client.command("show")
@click.argument("ref")
@json_option
@pass_cli
def client_show(cli: Cli, ref, as_json) -> None:
    """La fiche d'un client (REF : id ou email)."""
    x = cli.container.queries().client_ref(cli.company_id(), ref)
    output(s.client(x), as_json, [
        f"{x.full_name} — {x.id}", f"{x.email} {x.phone}", x.address.one_line(),
        f"Origine : {x.origin.label_fr} ; boutique : {_sync_line(x)} (client boutique : "
        f"{x.shop_client_id or 'aucun'}) ; carte enregistrée : {'oui' if x.stripe_payment_method_id else 'non'}",
    ])


@client.command("transmit")
@click.argument("ref")
@click.option("--force", is_flag=True, help="Renvoyer même si la boutique est à jour")
@json_option
@pass_cli
def client_transmit(cli: Cli, ref, force, as_json) -> None:
    """Transmettre le client à la boutique (REF : id ou email)."""
    company_id = cli.company_id()
    found = cli.container.queries().client_ref(company_id, ref)
    _show_report(cli.container.shop_sync().transmit_client(c.TransmitClient(company_id, found.id, force)), as_json)


@client.command("export")
@click.argument("ref")
@click.option("-o", "--output", "path", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Fichier .zip à écrire.")
@pass_cli
def client_export(cli: Cli, ref, path) -> None:
    """Exporter les données du client (RGPD) : client.json et les documents PDF, dans un zip (REF : id ou email)."""
    company_id = cli.company_id()
    found = cli.container.queries().client_ref(company_id, ref)
    data = cli.container.export_client_data()(company_id, found.id)
    write_file(path, client_data_zip(data))
    click.echo(f"Données de {data.client.full_name} exportées dans {path} : {len(data.invoices)} facture(s), "
               f"{len(data.documents)} document(s).")


@client.command("erase")
@click.argument("ref")
@click.option("--yes", is_flag=True, help="Confirmer l'effacement (irréversible).")
@json_option
@pass_cli
def client_erase(cli: Cli, ref, yes, as_json) -> None:
    """Effacer le client (RGPD) : fiche anonymisée, ici et à la boutique, carte détachée et client supprimé
    chez Stripe ; les factures restent (conservation légale de 10 ans, art. L123-22 du Code de commerce)."""
    if not yes:
        raise click.UsageError("L'effacement est irréversible : confirmez avec --yes.")
    company_id = cli.company_id()
    found = cli.container.queries().client_ref(company_id, ref)
    erased = cli.container.erase_client()(EraseClient(company_id, found.id))
    cli.drain()
    output(s.client(erased), as_json, [f"Client {found.id} effacé : fiche anonymisée (ici et à la boutique), "
                                       "carte détachée et client supprimé chez Stripe ; factures conservées "
                                       "(10 ans)."])
