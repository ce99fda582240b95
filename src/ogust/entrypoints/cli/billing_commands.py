"""ogust order / devis / intervention / invoice / attestation."""
from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import click
from pydantic import ValidationError

from ogust.application import commands as c
from ogust.application.periods import parse_month
from ogust.domain.errors import InvalidValue
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.money import Money
from ogust.domain.payment import PAYMENT_METHOD_CODES, PaymentMethod
from ogust.domain.validation import MAX_YEAR, MIN_YEAR
from ogust.entrypoints import serializers as s
from ogust.entrypoints.api.problems import field_errors
from ogust.entrypoints.api.schemas import OrderIn
from ogust.entrypoints.cli.base import (
    DATE,
    EUROS,
    Cli,
    FrenchFloatRange,
    OgustGroup,
    json_option,
    output,
    parse_day,
    pass_cli,
)
from ogust.entrypoints.cli.documents import write_document


@click.group(cls=OgustGroup)
def order() -> None:
    """Commandes de la boutique."""


@order.command("place")
@click.argument("file", type=click.File("rb"))
@json_option
@pass_cli
def order_place(cli: Cli, file, as_json) -> None:
    """Enregistrer une commande (JSON au format du contrat boutique) ; rejouée, elle ne crée rien."""
    try:
        parsed = OrderIn.model_validate_json(file.read())
    except ValidationError as error:
        raise InvalidValue("Commande illisible : " + "; ".join(
            f"{e['field']} : {e['message']}" for e in field_errors(error.errors()))) from None
    company_id = cli.container.queries().company_by_shop_account(parsed.account_id).id
    result = cli.container.place_order()(parsed.to_command(company_id))
    data = {"order_id": result.shop_order_id, "client_id": result.client_id, "devis_id": result.devis_id,
            "intervention_ids": list(result.intervention_ids), "replayed": result.replayed}
    verb = "déjà reçue : rien de nouveau" if result.replayed else "acceptée"
    output(data, as_json, [f"Commande {result.shop_order_id} {verb}.", f"Client {result.client_id}",
                           f"Devis accepté {result.devis_id}",
                           *[f"Intervention {i}" for i in result.intervention_ids]])


@click.group(cls=OgustGroup)
def devis() -> None:
    """Les devis."""


@devis.command("list")
@json_option
@pass_cli
def devis_list(cli: Cli, as_json) -> None:
    """Les devis (acceptés à la commande en ligne)."""
    found = cli.container.queries().devis_list(cli.company_id())
    names = cli.container.queries().client_names(cli.company_id())
    output([s.devis(d) for d in found], as_json,
           [f"{d.id}  {names.get(d.client_id, '?')[:24]:<24} {d.status.label_fr:<11} {str(d.total_ttc):>12} TTC  "
            f"commande {d.shop_order_id or '—'}" for d in found] or ["Aucun devis."])


@devis.command("show")
@click.argument("devis_id")
@json_option
@pass_cli
def devis_show(cli: Cli, devis_id, as_json) -> None:
    """Un devis et ses lignes."""
    d, interventions = cli.container.queries().devis(cli.company_id(), devis_id)
    output(s.devis(d, interventions), as_json, [
        f"Devis {d.id} — {d.status.label_fr}"
        + (f" le {cli.local(d.accepted_at):%d/%m/%Y} ({d.acceptance_channel.label_fr})" if d.accepted_at else ""),
        *[f"  {l.label:<28} {l.quantity.label_fr():>10} {str(l.unit_price_ht):>10} HT  TVA {l.vat_rate.percent_label}"
          f"  {str(l.amount_ttc):>10} TTC" for l in d.lines],
        f"Total : {d.total_ht} HT, {d.total_vat} TVA, {d.total_ttc} TTC",
        *[f"  Intervention {i.id} : {cli.local(i.start):%d/%m/%Y %H:%M}–{cli.local(i.end):%H:%M} {i.status.label_fr}"
          for i in interventions],
    ])


@click.group(cls=OgustGroup)
def intervention() -> None:
    """Le planning : interventions planifiées, réalisées ou annulées."""


@intervention.command("plan")
@click.argument("client_ref")
@click.option("--intervenant", "intervenant_ref", required=True, help="Matricule ou identifiant de l'intervenant")
@click.option("--tarif", "tarif_ref", required=True, help="Code ou identifiant du tarif")
@click.option("--start", "start_text", required=True,
              help="Début : AAAA-MM-JJTHH:MM, à l'heure de l'entreprise, ou ISO 8601 avec fuseau")
@click.option("--end", "end_text", required=True, help="Fin, de même")
@json_option
@pass_cli
def intervention_plan(cli: Cli, client_ref, intervenant_ref, tarif_ref, start_text, end_text, as_json) -> None:
    """Planifier une intervention chez le client (refusée si l'intervenant est déjà pris)."""
    company_id, queries = cli.company_id(), cli.container.queries()
    client = queries.client_ref(company_id, client_ref)
    intervenant = queries.intervenant_ref(company_id, intervenant_ref)
    tarif = queries.tarif_ref(company_id, tarif_ref)
    zone = cli.local(datetime.now().astimezone()).tzinfo
    start, end = _moment(start_text, "--start", zone), _moment(end_text, "--end", zone)
    planned = cli.container.plan_intervention()(
        c.PlanIntervention(company_id, client.id, intervenant.id, tarif.id, start, end))
    output(s.intervention(planned), as_json, [
        f"Intervention {planned.id} planifiée : {cli.local(planned.start):%d/%m/%Y %H:%M}–"
        f"{cli.local(planned.end):%H:%M}, {intervenant.full_name} ({intervenant.matricule}) chez {client.full_name}, "
        f"tarif {tarif.code}."])


def _moment(text: str, option: str, zone) -> datetime:
    """ISO 8601; without an offset, a time of the company's zone (as operators read the planning)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(f"date et heure illisibles : {text!r} (ex. 2026-12-14T09:00 ou "
                                 "2026-12-14T09:00+01:00)", param_hint=option) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


@intervention.command("done")
@click.argument("intervention_id")
@json_option
@pass_cli
def intervention_done(cli: Cli, intervention_id, as_json) -> None:
    """Déclarer l'intervention réalisée : à partir de son début, jamais avant."""
    done = cli.container.mark_done()(c.MarkInterventionDone(cli.company_id(), intervention_id))
    output(s.intervention(done), as_json, [f"Intervention {done.id} réalisée."])


@intervention.command("to-declare")
@click.option("--month", "month_text", default=None,
              help="AAAA-MM ou MM/AAAA, mois du fuseau de l'entreprise (défaut : toutes)")
@json_option
@pass_cli
def intervention_to_declare(cli: Cli, month_text, as_json) -> None:
    """Les interventions commencées mais encore « prévues » : à déclarer réalisées (ou à annuler), sans
    quoi elles ne sont pas facturées."""
    items, total = cli.container.queries().to_declare(cli.company_id(), _month(month_text) if month_text else None)
    zone = cli.local(datetime.now().astimezone()).tzinfo
    lines = [f"{total} intervention(s) commencée(s), encore « prévue(s) » : déclarez-les réalisées "
             "(ogust intervention done ID) ou annulez-les (ogust intervention cancel ID)."] if total else \
        ["Aucune intervention à déclarer."]
    for item in items:
        start, end = item.intervention.start.astimezone(zone), item.intervention.end.astimezone(zone)
        who = f"{item.intervenant.full_name} ({item.intervenant.matricule})"
        lines.append(f"  {start:%d/%m/%Y %H:%M}–{end:%H:%M}  {who}  chez {item.client.full_name}  "
                     f"{item.intervention.id}")
    if total > len(items):
        lines.append(f"  … et {total - len(items)} autre(s).")
    output(s.to_declare(items, total), as_json, lines)


@intervention.command("cancel")
@click.argument("intervention_id")
@pass_cli
def intervention_cancel(cli: Cli, intervention_id) -> None:
    """Annuler une intervention prévue ou réalisée mais non facturée (une facturée se corrige par un avoir)."""
    cancelled = cli.container.cancel_intervention()(c.CancelIntervention(cli.company_id(), intervention_id))
    click.echo(f"Intervention {cancelled.id} annulée.")


@click.group(cls=OgustGroup)
def invoice() -> None:
    """Les factures."""


def _invoice_lines(i) -> list[str]:
    lines = [f"Facture {i.number or '(brouillon)'} — {i.id} — {i.status.label_fr}"]
    for l in i.lines:
        who = f" {l.intervenant_name} ({l.intervenant_matricule})" if l.intervenant_matricule else ""
        when = f"{l.performed_on:%d/%m/%Y} " if l.performed_on else ""
        lines.append(f"  {when}{l.label}{who} {l.quantity.label_fr()} × {l.unit_price_ht} HT, "
                     f"TVA {l.vat_rate.percent_label} = {l.amount_ttc} TTC")
    lines.append(f"Total : {i.total_ht} HT, {i.total_vat} TVA, {i.total_ttc} TTC")
    if i.credited_ttc.cents:
        lines.append(f"Avoirs : {i.credited_ttc} TTC")
    if not i.is_draft:
        lines.append(f"Reste à payer : {i.left_to_pay}")
    if i.payment_failure:
        lines.append(f"Paiement : {i.payment_failure}")
    return lines


@invoice.command("from-devis")
@click.argument("devis_id")
@json_option
@pass_cli
def invoice_from_devis(cli: Cli, devis_id, as_json) -> None:
    """Facturer un devis accepté : un brouillon, avec ses interventions réalisées."""
    created = cli.container.invoice_from_devis()(c.InvoiceFromDevis(cli.company_id(), devis_id))
    output(s.invoice(created), as_json, _invoice_lines(created))


@invoice.command("manual")
@click.argument("client_ref")
@click.option("--line", "lines", multiple=True, required=True,
              help="TARIF:QUANTITÉ:JOUR:INTERVENANT (JOUR : JJ/MM/AAAA ou AAAA-MM-JJ) — quantité en minutes pour "
                   "un tarif horaire ; le jour et l'intervenant (matricule) sont obligatoires, sauf pour un tarif "
                   "hors crédit d'impôt (frais)")
@json_option
@pass_cli
def invoice_manual(cli: Cli, client_ref, lines, as_json) -> None:
    """Une facture saisie à la main pour un client (CLIENT_REF : id ou email) : un brouillon."""
    company_id = cli.company_id()
    queries = cli.container.queries()
    specs = []
    for text in lines:
        parts = text.split(":")
        if not 2 <= len(parts) <= 4 or not parts[1].isdecimal():
            raise click.BadParameter(f"ligne illisible : {text!r} (TARIF:QUANTITÉ:JJ/MM/AAAA:INTERVENANT)")
        day = parse_day(parts[2]) if len(parts) > 2 and parts[2] else None
        if len(parts) > 2 and parts[2] and day is None:
            raise click.BadParameter(f"date invalide dans {text!r} : {parts[2]} (JJ/MM/AAAA ou AAAA-MM-JJ, un jour "
                                     "qui existe)", param_hint="--line")
        performed = day.date() if day else None
        who = queries.intervenant_ref(company_id, parts[3]).id if len(parts) > 3 and parts[3] else None
        specs.append(c.ManualInvoiceLine(parts[0], int(parts[1]), performed, who))
    found = queries.client_ref(company_id, client_ref)
    created = cli.container.manual_invoice()(c.ManualInvoice(company_id, found.id, tuple(specs)))
    output(s.invoice(created), as_json, _invoice_lines(created))


@invoice.command("contract")
@click.argument("client_ref")
@click.option("--from", "start", type=DATE, required=True, help="Premier jour (JJ/MM/AAAA ou AAAA-MM-JJ)")
@click.option("--to", "end", type=DATE, required=True, help="Dernier jour inclus (JJ/MM/AAAA ou AAAA-MM-JJ)")
@json_option
@pass_cli
def invoice_contract(cli: Cli, client_ref, start, end, as_json) -> None:
    """Facturer les interventions réalisées et non facturées d'une période."""
    company_id = cli.company_id()
    found = cli.container.queries().client_ref(company_id, client_ref)
    created = cli.container.contract_invoice()(c.ContractInvoice(company_id, found.id, start.date(), end.date()))
    output(s.invoice(created), as_json, _invoice_lines(created))


@invoice.command("list")
@click.option("--status", type=click.Choice([x.value for x in InvoiceStatus]), default=None,
              help="Seulement les factures dans cet état")
@click.option("--unpaid", is_flag=True, help="Seulement celles qui attendent un paiement, avec le total dû")
@json_option
@pass_cli
def invoice_list(cli: Cli, status, unpaid, as_json) -> None:
    """Les factures, par numéro (les brouillons à la fin)."""
    found = cli.container.queries().invoices(cli.company_id(), InvoiceStatus(status) if status else None, unpaid)
    due = sum((i.left_to_pay for i in found), Money.zero())
    names = cli.container.queries().client_names(cli.company_id())
    output([s.invoice(i) for i in found], as_json,
           [f"{(i.number or 'brouillon'):<16} {names.get(i.client_id, '?')[:24]:<24} {i.status.label_fr:<30} "
            f"{str(i.total_ttc):>12} TTC  " + (" " * 18 if i.is_draft else f"reste {str(i.left_to_pay):>12}")
            + f"  {i.id}" for i in found]
           + ([f"Reste à encaisser : {due} ({len(found)} facture(s))"] if unpaid and found else [])
           or ["Aucune facture."])


# what an operator types (French) → how the payment was made; the card is debited only through Stripe
# the codes the API takes too (PaymentMethod.code): all but the card, which only the automatic debit uses
PAYMENT_CHOICES = {code: method for method, code in PAYMENT_METHOD_CODES.items() if method is not PaymentMethod.CARD}


def _settled_lines(cli: Cli, view) -> list[str]:
    """The invoice's status, then each payment received."""
    return [f"Statut : {view.invoice.status.label_fr}", *_payment_lines(cli, view)]


def _payment_lines(cli: Cli, view) -> list[str]:
    return [f"  Règlement : {p.amount} par {p.method.label_fr}"
            + (f" (réf. {p.reference})" if p.reference else "") + f", reçu le {cli.local(p.received_at):%d/%m/%Y}"
            for p in view.payments]


def _view_lines(cli: Cli, view) -> list[str]:
    abandoned = ([f"  Débit abandonné après ses essais, issue inconnue : relancez-le avec « ogust outbox retry "
                  f"{view.abandoned_debit_job_id} »"] if view.abandoned_debit_job_id else [])
    return _invoice_lines(view.invoice) + [
        f"  Débit n° {a.number} : {a.status.label_fr} {a.payment_intent_id or ''} {a.failure or ''}"
        for a in view.attempts] + abandoned + _payment_lines(cli, view)


@invoice.command("show")
@click.argument("ref")
@json_option
@pass_cli
def invoice_show(cli: Cli, ref, as_json) -> None:
    """Une facture (REF : numéro FA-… ou id) : lignes, totaux, règlements."""
    view = cli.container.queries().invoice(cli.company_id(), ref)
    output(s.invoice_view(view), as_json, _view_lines(cli, view))


@invoice.command("pay")
@click.argument("ref")
@click.option("--method", "method", type=click.Choice(list(PAYMENT_CHOICES), case_sensitive=False), required=True,
              help="Mode de règlement (la carte, elle, est débitée automatiquement).")
@click.option("--on", "received_on", type=DATE, required=True,
              help="Jour de réception, JJ/MM/AAAA ou AAAA-MM-JJ (pas dans le futur).")
@click.option("--reference", default="", help="N° de chèque, référence du virement, n° CESU.")
@click.option("--amount", type=EUROS, default=None,
              help="Montant reçu (ex. 20,00) ; moins que le reste dû : un règlement partiel (défaut : tout le reste).")
@json_option
@pass_cli
def invoice_pay(cli: Cli, ref, method, received_on, reference, amount, as_json) -> None:
    """Enregistrer un règlement (chèque, virement, CESU, espèces) : tout le reste dû — la facture passe payée,
    publiée comme telle — ou une partie (--amount) ; il compte pour l'attestation fiscale (hors espèces)."""
    company_id = cli.company_id()
    found = cli.container.queries().invoice(company_id, ref).invoice
    paid = cli.container.record_payment()(c.RecordPayment(
        company_id, found.id, PAYMENT_CHOICES[method.lower()], received_on.date(), reference,
        None if amount is None else Money(amount)))
    if not as_json:
        click.echo(f"Règlement enregistré : facture {paid.number} payée." if paid.status is InvoiceStatus.PAID
                   else f"Règlement partiel enregistré : il reste {paid.left_to_pay} à régler sur la facture "
                        f"{paid.number}.")
    attested = cli.container.queries().validated_attestation(company_id, paid.client_id, received_on.year)
    if attested is not None and PAYMENT_CHOICES[method.lower()] is not PaymentMethod.CASH:
        click.echo(f"L'attestation fiscale {attested.year} de ce client ({attested.number}) est déjà validée : ce "
                   f"règlement n'y figure pas. « ogust attestation generate {paid.client_id} --year {attested.year} » "
                   "en fait une attestation rectificative.", err=True)
    cli.drain()
    final = cli.container.queries().invoice(company_id, paid.id)
    output(s.invoice_view(final), as_json, _settled_lines(cli, final))


@invoice.command("discard")
@click.argument("ref")
@pass_cli
def invoice_discard(cli: Cli, ref) -> None:
    """Supprimer un brouillon : ses interventions redeviennent à facturer (ou à annuler)."""
    company_id = cli.company_id()
    found = cli.container.queries().invoice(company_id, ref).invoice
    discarded = cli.container.discard_draft_invoice()(c.DiscardDraftInvoice(company_id, found.id))
    click.echo(f"Brouillon {discarded.id} supprimé ({discarded.total_ttc} TTC) ; "
               f"{sum(1 for line in discarded.lines if line.intervention_id)} intervention(s) à facturer de nouveau.")


@invoice.command("validate")
@click.argument("ref")
@json_option
@pass_cli
def invoice_validate(cli: Cli, ref, as_json) -> None:
    """Valider : numéro définitif, publication boutique, débit de la carte, email au client."""
    company_id = cli.company_id()
    found = cli.container.queries().invoice(company_id, ref).invoice
    validated = cli.container.validate_invoice()(c.ValidateInvoice(company_id, found.id))
    if not as_json:
        click.echo(f"Facture {validated.number} validée ({validated.total_ttc} TTC).")
    cli.drain()
    final = cli.container.queries().invoice(company_id, validated.id)
    output(s.invoice_view(final), as_json, [f"Statut : {final.invoice.status.label_fr}"])


class _PhaseBars:
    """One progress bar per month-end phase (nothing with --json)."""

    LABELS = {"generate": "Factures du mois  ", "validate": "Validation        ", "debit": "Débit des cartes  ",
              "attestations": "Attestations      "}

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None

    def phase(self, name: str, total: int) -> None:
        self.close()
        if self.enabled:
            self.bar = click.progressbar(length=total, label=self.LABELS.get(name, name), show_pos=True)
            self.bar.__enter__()

    def advance(self, count: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _month(text: str) -> tuple[int, int]:
    """A month as an operator types it (AAAA-MM or MM/AAAA); another text is bad usage."""
    try:
        return parse_month(text)
    except InvalidValue:
        raise click.BadParameter(f"mois illisible : {text!r} (AAAA-MM ou MM/AAAA, ex. 2026-10 ou 10/2026)") from None


SKIPPED_KINDS = {"client": "client", "invoice": "facture"}


def _month_end_lines(report) -> list[str]:
    lines = [f"Fin de mois {report.month}" + (" — interrompue : relancez la même commande pour reprendre"
                                              if report.interrupted else ""),
             f"  factures créées          {report.created}",
             f"  factures validées        {report.validated}" + (f"  ({report.validated_ttc} TTC)"
                                                                   if report.validated else ""),
             f"  cartes débitées          {report.paid}" + (f"  ({report.debited})" if report.paid else ""),
             f"  débits refusés           {len(report.failed)}" + (f"  ({report.declined})" if report.failed else ""),
             *[f"    {i.number} : {i.reason}" for i in report.failed],
             f"  authentification requise {len(report.needs_authentication)}",
             *[f"    {i.number}" for i in report.needs_authentication],
             f"  ignorées                 {len(report.skipped)}",
             *[f"    {SKIPPED_KINDS.get(s.kind, s.kind)} {s.ref} : {s.reason}" for s in report.skipped]]
    if report.not_declared_done:
        lines.append(f"  non déclarées réalisées  {report.not_declared_done} intervention(s) du mois commencée(s) mais "
                     "encore « prévue(s) » : non facturée(s). Déclarez-les réalisées ou annulez-les (ogust "
                     f"intervention to-declare --month {report.month}), puis relancez.")
    labels = {"draft": "brouillon", "validated": "validée(s) sans débit", "paid": "payée(s)",
              "payment_failed": "refusée(s)", "needs_authentication": "en attente d'authentification",
              "credited": "soldée(s) par avoir"}
    if report.month_invoices:
        lines.append("Factures du mois : "
                     + ", ".join(f"{n} {labels.get(k, k)}" for k, n in report.month_invoices.items()))
    return lines


def _a_number(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """FloatRange lets NaN through (every comparison with it is false): a rate limit of NaN is none."""
    if value is not None and math.isnan(value):
        raise click.BadParameter("un nombre de débits par seconde est attendu (ex. 25)")
    return value


@invoice.command("run")
@click.option("--month", "month_text", required=True, help="AAAA-MM ou MM/AAAA, mois du fuseau de l'entreprise")
@click.option("--concurrency", type=click.IntRange(1, 64), default=None,
              help="Débits menés en même temps (défaut : OGUST_MONTH_END_CONCURRENCY, 8)")
@click.option("--rate", type=FrenchFloatRange(0, 10_000, min_open=True), default=None, callback=_a_number,
              help="Débits par seconde au plus : la limite de la passerelle de paiement (défaut : "
                   "OGUST_PAYMENT_RATE_LIMIT, 25). Avec Stripe, un débit coûte jusqu'à deux requêtes.")
@json_option
@pass_cli
def invoice_run(cli: Cli, month_text, concurrency, rate, as_json) -> None:
    """Fin de mois : facturer les interventions réalisées du mois (une facture par client), valider,
    débiter les cartes. Interrompue (Ctrl-C), elle se relance sans débiter personne deux fois."""
    import dataclasses
    import signal
    import threading

    year, month = _month(month_text)
    settings = cli.container.settings()
    command = c.RunMonthEnd(cli.company_id(), year, month, concurrency or settings.month_end_concurrency,
                            rate or settings.payment_rate_limit)
    stop = threading.Event()

    def interrupt(*_: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        click.echo("\nArrêt demandé : les débits en cours se terminent (Ctrl-C encore pour forcer).", err=True)

    previous = signal.signal(signal.SIGINT, interrupt)
    bars = _PhaseBars(enabled=not as_json)
    try:
        report = cli.container.month_end()(command, bars, stop)
    finally:
        bars.close()
        signal.signal(signal.SIGINT, previous)
    lines = _month_end_lines(report)
    performed = 0
    if report.interrupted:
        pass
    elif cli.queue_only:
        lines.append("Publications et emails mis en file d'attente (ils seront faits par « ogust worker »).")
    else:  # the invoices' other effects: publication in the shop, emails
        performed = cli.container.processor().run_until_idle()
        lines.append(f"{performed} autre(s) effet(s) traité(s) : publication boutique, emails.")
    output(dataclasses.asdict(report) | {"effects_performed": performed}, as_json, lines)
    if report.interrupted:
        raise SystemExit(130)


@invoice.command("retry-payment")
@click.argument("ref")
@pass_cli
def invoice_retry(cli: Cli, ref) -> None:
    """Débiter de nouveau la carte après un refus (REF : numéro FA-… ou id) ; jamais deux fois."""
    company_id = cli.company_id()
    found = cli.container.queries().invoice(company_id, ref).invoice
    cli.container.retry_payment()(c.RetryPayment(company_id, found.id))
    cli.drain()
    click.echo(f"Statut : {cli.container.queries().invoice(company_id, found.id).invoice.status.label_fr}")


@invoice.command("cancel-debit")
@click.argument("ref")
@json_option
@pass_cli
def invoice_cancel_debit(cli: Cli, ref, as_json) -> None:
    """Annuler le débit qui attend la confirmation 3-D Secure du client (il ne l'a pas faite, ou paie
    autrement) : la facture attend de nouveau d'être réglée (retry-payment, ou invoice pay)."""
    company_id = cli.company_id()
    found = cli.container.queries().invoice(company_id, ref).invoice
    after = cli.container.cancel_debit()(c.CancelDebit(company_id, found.id))
    if not as_json:
        click.echo(f"Facture {after.number} payée : le client avait confirmé le débit."
                   if after.status is InvoiceStatus.PAID
                   else f"Débit annulé : la facture {after.number} attend un règlement.")
    cli.drain()
    final = cli.container.queries().invoice(company_id, found.id)
    output(s.invoice_view(final), as_json, _settled_lines(cli, final))


@invoice.command("document")
@click.argument("ref")
@click.option("-o", "--output", "target", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Fichier PDF à écrire")
@pass_cli
def invoice_document(cli: Cli, ref, target) -> None:
    """Écrire la facture (PDF Factur-X) dans un fichier."""
    write_document(cli, "invoice", cli.container.queries().invoice(cli.company_id(), ref).invoice.id, target)


@click.group(cls=OgustGroup)
def attestation() -> None:
    """Les attestations fiscales."""


def _attestation_lines(a) -> list[str]:
    return [f"Attestation {a.number or '(brouillon)'} {a.year} — {a.id} — {a.status.label_fr}"
            + (f" — rectificative : annule et remplace la n° {a.replaces_number}" if a.replaces_id else ""),
            f"Montant payé éligible : {a.amount_paid}",
            *([f"Remboursements de paiements antérieurs, déduits : {a.refunds_deducted}"]
              if a.refunds_deducted.cents else []),
            *([f"Réglé en CESU préfinancés (à part) : {a.cesu_paid}"] if a.cesu_paid.cents else []),
            # the interventions' own year: paid in January, a December visit is of the year before
            *[f"  {l.month:02d}/{l.year or a.year} {l.intervenant_name} ({l.intervenant_matricule}) : "
              f"{l.interventions} intervention(s), "
              + (f"{l.minutes // 60} h {l.minutes % 60:02d}" if l.minutes else "au forfait") for l in a.lines]]


@attestation.command("generate")
@click.argument("client_ref")
@click.option("--year", type=click.IntRange(MIN_YEAR, MAX_YEAR), required=True, help="Année des paiements (AAAA)")
@json_option
@pass_cli
def attestation_generate(cli: Cli, client_ref, year, as_json) -> None:
    """Calculer l'attestation fiscale d'un client pour une année (CLIENT_REF : id ou email) : un brouillon."""
    company_id = cli.company_id()
    found = cli.container.queries().client_ref(company_id, client_ref)
    created = cli.container.generate_attestation()(c.GenerateAttestation(company_id, found.id, year))
    output(s.attestation(created), as_json, _attestation_lines(created))


@attestation.command("generate-all")
@click.option("--year", type=click.IntRange(MIN_YEAR, MAX_YEAR), required=True, help="Année des paiements (AAAA)")
@json_option
@pass_cli
def attestation_generate_all(cli: Cli, year, as_json) -> None:
    """Calculer les attestations fiscales de l'année pour tous les clients qui ont payé."""
    bars = _PhaseBars(enabled=not as_json)
    try:
        outcomes = cli.container.generate_attestations()(c.GenerateAttestations(cli.company_id(), year),
                                                         bars.advance, lambda total: bars.phase("attestations", total))
    finally:
        bars.close()
    output([{"client_id": o.client_id, "attestation_id": o.attestation_id, "error": o.error} for o in outcomes],
           as_json, [f"{o.client_id} : {o.attestation_id or o.error}" for o in outcomes]
           + [f"{sum(1 for o in outcomes if o.attestation_id)} attestation(s) générée(s)."])


@attestation.command("list")
@click.option("--year", type=int, default=None, help="Seulement cette année")
@json_option
@pass_cli
def attestation_list(cli: Cli, year, as_json) -> None:
    """Les attestations fiscales."""
    found = cli.container.queries().attestations(cli.company_id(), year)
    names = cli.container.queries().client_names(cli.company_id())
    output([s.attestation(a) for a in found], as_json,
           [f"{(a.number or 'brouillon'):<16} {a.year} {names.get(a.client_id, '?')[:24]:<24} "
            f"{a.status.label_fr:<10} {str(a.amount_paid):>12}  {a.id}" for a in found] or ["Aucune attestation."])


@attestation.command("show")
@click.argument("ref")
@json_option
@pass_cli
def attestation_show(cli: Cli, ref, as_json) -> None:
    """Une attestation fiscale (REF : numéro AF-… ou id) : montant payé, interventions."""
    a = cli.container.queries().attestation(cli.company_id(), ref)
    output(s.attestation(a), as_json, _attestation_lines(a))


@attestation.command("validate")
@click.argument("ref")
@json_option
@pass_cli
def attestation_validate(cli: Cli, ref, as_json) -> None:
    """Valider : publiée dans le compte boutique du client et envoyée par email."""
    company_id = cli.company_id()
    found = cli.container.queries().attestation(company_id, ref)
    validated = cli.container.validate_attestation()(c.ValidateAttestation(company_id, found.id))
    if not as_json:
        click.echo(f"Attestation {validated.number} validée.")
    cli.drain()
    output(s.attestation(validated), as_json, [])


@attestation.command("document")
@click.argument("ref")
@click.option("-o", "--output", "target", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Fichier PDF à écrire")
@pass_cli
def attestation_document(cli: Cli, ref, target) -> None:
    """Écrire l'attestation fiscale (PDF) dans un fichier."""
    write_document(cli, "attestation", cli.container.queries().attestation(cli.company_id(), ref).id, target)
