"""ogust company / tarif / shop: set-up and the shop link."""
from __future__ import annotations

import click

from ogust.application import commands as c
from ogust.domain.address import Address
from ogust.domain.money import Money, VatRate
from ogust.domain.tarif import InterventionMode
from ogust.domain.units import Unit
from ogust.entrypoints import serializers as s
from ogust.entrypoints.cli.base import DATE, EUROS, VAT, Cli, OgustGroup, json_option, output, pass_cli


@click.group(cls=OgustGroup)
def company() -> None:
    """L'entreprise (le prestataire SAP)."""


@company.command("create")
@click.option("--name", required=True, help="Raison sociale")
@click.option("--street", required=True, help="N° et rue du siège")
@click.option("--postal-code", required=True, help="Code postal (5 chiffres)")
@click.option("--city", required=True, help="Ville")
@click.option("--siret", required=True, help="14 chiffres")
@click.option("--sap-number", required=True, help="Numéro de déclaration SAP")
@click.option("--sap-date", required=True, type=DATE, help="JJ/MM/AAAA ou AAAA-MM-JJ")
@click.option("--email", default="", help="Email de contact (sur les documents)")
@json_option
@pass_cli
def company_create(cli: Cli, name, street, postal_code, city, siret, sap_number, sap_date, email, as_json) -> None:
    """Créer l'entreprise : raison sociale, adresse, SIRET et déclaration SAP (mentions légales des documents)."""
    created = cli.container.create_company()(c.CreateCompany(
        name, Address(street, postal_code, city), siret, sap_number, sap_date.date(), email))
    output(s.company(created), as_json, [f"Entreprise créée : {created.name} ({created.id})"])


@company.command("show")
@json_option
@pass_cli
def company_show(cli: Cli, as_json) -> None:
    """L'entreprise : identité, déclaration SAP, liaison à la boutique."""
    found = cli.container.queries().company(cli.container.settings().company_id)
    output(s.company(found), as_json, [
        f"{found.name} — SIRET {found.siret} — déclaration SAP {found.sap_declaration_number} "
        f"du {found.sap_declaration_date:%d/%m/%Y}",
        f"Boutique : {found.shop_account_id or 'non liée'}",
    ])


@click.group(cls=OgustGroup)
def tarif() -> None:
    """Les tarifs du Manager."""


@tarif.command("create")
@click.argument("code")
@click.option("--label", required=True, help="Libellé (sur les devis et factures)")
@click.option("--unit", type=click.Choice(["heure", "forfait", "hour", "flat"], case_sensitive=False), required=True,
              help="heure : prix à l'heure ; forfait : au forfait (hour, flat : anciens noms)")
@click.option("--price-ht", type=EUROS, required=True, help="Prix HT en euros, ex. 25,00")
@click.option("--vat", type=VAT, required=True, help="Taux de TVA en %")
@click.option("--tax-credit/--no-tax-credit", default=True, help="Ouvre droit au crédit d'impôt")
@click.option("--mode", type=click.Choice(["prestataire", "mandataire"]), default="prestataire",
              help="Mode d'intervention (défaut : prestataire)")
@json_option
@pass_cli
def tarif_create(cli: Cli, code, label, unit, price_ht, vat, tax_credit, mode, as_json) -> None:
    """Créer un tarif (CODE : ex. MENAGE) : prix HT, TVA, unité, crédit d'impôt."""
    created = cli.container.create_tarif()(c.CreateTarif(
        cli.company_id(), code, label, Unit.from_code(unit), Money(price_ht), VatRate.from_percent(vat),
        tax_credit, InterventionMode(mode)))
    output(s.tarif(created), as_json, [f"Tarif {created.code} créé : {created.price_ht} HT, {created.price_ttc} TTC"])


@tarif.command("list")
@json_option
@pass_cli
def tarif_list(cli: Cli, as_json) -> None:
    """Les tarifs, avec leurs prix HT et TTC."""
    tarifs = cli.container.queries().tarifs(cli.company_id())
    output([s.tarif(t) for t in tarifs], as_json,
           [f"{t.code:<10} {t.label:<30} {t.unit.label_fr:<8} {str(t.price_ht):>12} HT {str(t.price_ttc):>12} TTC "
            f"TVA {t.vat_rate.percent_label}" for t in tarifs] or ["Aucun tarif."])


@click.group(cls=OgustGroup)
def shop() -> None:
    """La boutique en ligne : liaison, services, transmission."""


@shop.command("link")
@click.argument("account_id")
@click.option("--webhook-secret", default=None, help="Secret de signature des commandes (généré sinon)")
@click.option("--api-key", default=None, help="Clé d'API que la boutique a donnée pour ce compte "
                                              "(sinon celle de l'installation, OGUST_SHOP_API_KEY)")
@json_option
@pass_cli
def shop_link(cli: Cli, account_id, webhook_secret, api_key, as_json) -> None:
    """Lier l'entreprise à son compte boutique (ACCOUNT_ID, ex. acc_demo), une fois."""
    secret = cli.container.link_shop()(c.LinkShopAccount(cli.company_id(), account_id, webhook_secret, api_key))
    output({"shop_account_id": account_id, "webhook_secret": secret}, as_json, [
        f"Compte boutique {account_id} lié.",
        f"Secret de signature des commandes (à saisir dans la boutique, montré une fois) : {secret}",
    ])


@shop.command("services")
@json_option
@pass_cli
def shop_services(cli: Cli, as_json) -> None:
    """Les services de la boutique et le tarif auquel chacun est associé."""
    company_id = cli.company_id()
    queries = cli.container.queries()
    account = queries.company(company_id).require_shop()
    mapped = {m.shop_service_id: t.code for m, t in queries.mappings(company_id)}
    services = cli.container.shop().list_services(account)
    output([s.shop_service(x, mapped.get(x.id)) for x in services], as_json,
           [f"{x.id:<20} {x.label:<30} {str(x.price_ttc):>12} TTC/{x.unit.label_fr:<8} "
            f"TVA {x.vat_rate.percent_label:<6}"
            f" → {mapped.get(x.id, 'non associé')}" for x in services])


@shop.command("map")
@click.argument("shop_service_id")
@click.argument("tarif_code")
@json_option
@pass_cli
def shop_map(cli: Cli, shop_service_id, tarif_code, as_json) -> None:
    """Associer un service boutique à un tarif : même prix TTC, même TVA, même unité, sinon refusé."""
    mapping = cli.container.map_service()(c.MapShopService(cli.company_id(), shop_service_id, tarif_code))
    output({"shop_service_id": mapping.shop_service_id, "tarif_code": tarif_code}, as_json,
           [f"Service {mapping.shop_service_id} ({mapping.shop_label}) associé au tarif {tarif_code}."])


@shop.command("mappings")
@json_option
@pass_cli
def shop_mappings(cli: Cli, as_json) -> None:
    """Les associations service boutique → tarif."""
    pairs = cli.container.queries().mappings(cli.company_id())
    output([s.mapping(m, t) for m, t in pairs], as_json,
           [f"{m.shop_service_id:<20} → {t.code}" for m, t in pairs] or ["Aucune association."])


@shop.command("export")
@click.option("--clients/--no-clients", default=True, help="Transmettre les clients (défaut : oui)")
@click.option("--intervenants/--no-intervenants", default=True, help="Transmettre les intervenants (défaut : oui)")
@json_option
@pass_cli
def shop_export(cli: Cli, clients, intervenants, as_json) -> None:
    """Transmettre en lot : seules les fiches modifiées depuis le dernier envoi partent."""
    service = cli.container.shop_sync()
    bar = None

    def start(total: int) -> None:
        nonlocal bar
        if not as_json:
            bar = click.progressbar(length=total, label="Transmission à la boutique")
            bar.__enter__()

    def progress(n: int) -> None:
        if bar is not None:
            bar.update(n)

    try:
        reports = service.export(c.ExportToShop(cli.company_id(), clients, intervenants), start, progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    summary: dict[str, int] = {}
    for r in reports:
        summary[r.outcome] = summary.get(r.outcome, 0) + 1
    labels = {"sent": "fiche envoyée", "unchanged": "fiche inchangée", "failed": "en échec", "queued": "en attente"}
    in_bilan = {"sent": "envoyée(s)", "unchanged": "inchangée(s)", "failed": "en échec", "queued": "en attente"}
    output({"summary": summary, "records": [s.report(r) for r in reports]}, as_json,
           [f"{r.kind:<12} {r.label:<30} {labels[r.outcome]}" + (f" — {r.reason}" if r.reason else "")
            for r in reports]
           + ["Bilan : " + ", ".join(f"{n} {in_bilan[k]}" for k, n in summary.items())])
    if summary.get("failed"):
        raise SystemExit(5)
