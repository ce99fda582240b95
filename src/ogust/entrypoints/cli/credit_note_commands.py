"""ogust credit-note …, ogust invoice credit-note / pdf, ogust devis document: avoirs and PDF files."""
from __future__ import annotations

import click

from ogust.application.commands import IssueCreditNote, RecordRefund
from ogust.domain.credit_note import CreditNote
from ogust.domain.money import Money
from ogust.domain.payment import PAYMENT_METHOD_CODES, PaymentMethod
from ogust.entrypoints import serializers as s
from ogust.entrypoints.cli.base import (
    DATE,
    Cli,
    OgustGroup,
    euros_to_cents,
    json_option,
    output,
    pass_cli,
)
from ogust.entrypoints.cli.billing_commands import devis, invoice
from ogust.entrypoints.cli.documents import output_option, write_document


def _lines(n: CreditNote) -> list[str]:
    refund = {"none": "aucun remboursement (montant déduit de la facture, ou à rembourser par vos soins)",
              "pending": f"remboursement de {n.refund_amount} en cours",
              "succeeded": f"remboursé {n.refund_amount} sur la carte ({n.refund_id})",
              "failed": f"remboursement en échec : {n.refund_failure}"}[n.refund_status.value]
    if n.refund_method is not None:
        # recorded at noon in the company's zone: the same day in UTC, in whatever zone
        when = f" le {n.refunded_at:%d/%m/%Y}" if n.refunded_at else ""
        refund = (f"remboursé {n.refund_amount} par {n.refund_method.label_fr}{when}"
                  + (f" (réf. {n.refund_id})" if n.refund_id else ""))
    return [f"Avoir {n.number} du {n.issued_on:%d/%m/%Y} — facture {n.invoice_number} — {n.id}",
            f"Motif : {n.reason}",
            *[f"  {l.label} : {l.amount_ht} HT, TVA {l.vat_rate.percent_label} {l.amount_vat} = {l.amount_ttc} TTC"
              for l in n.lines],
            f"Total : {n.total_ht} HT, {n.total_vat} TVA, {n.total_ttc} TTC",
            f"Remboursement : {refund}"]


@invoice.command("pdf")
@click.argument("ref")
@output_option
@pass_cli
def invoice_pdf(cli: Cli, ref, target) -> None:
    """Écrire la facture (PDF Factur-X) dans un fichier : ogust invoice pdf FA-2026-000001 -o facture.pdf"""
    write_document(cli, "invoice", cli.container.queries().invoice(cli.company_id(), ref).invoice.id, target)


@invoice.command("credit-note")
@click.argument("ref")
@click.option("--amount", default=None, help="Montant TTC de l'avoir (ex. 27,50) ; sinon --full.")
@click.option("--full", is_flag=True, help="Avoir de tout ce qui reste à créditer sur la facture.")
@click.option("--reason", required=True, help="Motif de l'avoir (figure sur le document).")
@click.option("--line", type=click.IntRange(1, 500), default=None,
              help="La ligne de la facture rendue (1 pour la première), à son taux de TVA ; --full : toute la ligne")
@json_option
@pass_cli
def invoice_credit_note(cli: Cli, ref, amount, full, reason, line, as_json) -> None:
    """Émettre un avoir sur une facture validée ; payée par carte, elle est remboursée sur cette carte."""
    if bool(amount) == full:
        raise click.UsageError("Précisez soit --amount, soit --full.")
    company_id = cli.company_id()
    found = cli.container.queries().invoice(company_id, ref).invoice
    money = None if full else Money(euros_to_cents(amount))
    note = cli.container.issue_credit_note()(IssueCreditNote(company_id, found.id, reason, money, line))
    if not as_json:
        click.echo(f"Avoir {note.number} émis ({note.total_ttc} TTC) sur la facture {note.invoice_number}.")
    cli.drain()
    final = cli.container.document_queries().credit_note(company_id, note.id)
    output(s.credit_note(final), as_json, _lines(final)[-1:])


@devis.command("document")
@click.argument("devis_id")
@output_option
@pass_cli
def devis_document(cli: Cli, devis_id, target) -> None:
    """Écrire le devis (PDF) dans un fichier."""
    write_document(cli, "devis", devis_id, target)


devis.add_command(devis_document, "pdf")


@click.group("credit-note", cls=OgustGroup)
def credit_note() -> None:
    """Les avoirs (corrections de factures validées)."""


@credit_note.command("list")
@click.option("--invoice", "invoice_ref", default=None, help="Seulement les avoirs de cette facture.")
@json_option
@pass_cli
def credit_note_list(cli: Cli, invoice_ref, as_json) -> None:
    """Les avoirs."""
    company_id = cli.company_id()
    invoice_id = cli.container.queries().invoice(company_id, invoice_ref).invoice.id if invoice_ref else None
    found = cli.container.document_queries().credit_notes(company_id, invoice_id)
    names = cli.container.queries().client_names(company_id)
    output([s.credit_note(n) for n in found], as_json,
           [f"{n.number:<16} {n.invoice_number:<16} {names.get(n.client_id, '?')[:24]:<24} {n.total_ttc!s:>12} TTC  "
            f"{n.refund_status.label_fr:<10} {n.id}" for n in found] or ["Aucun avoir."])


@credit_note.command("show")
@click.argument("ref")
@json_option
@pass_cli
def credit_note_show(cli: Cli, ref, as_json) -> None:
    """Un avoir (REF : numéro AV-… ou id)."""
    n = cli.container.document_queries().credit_note(cli.company_id(), ref)
    output(s.credit_note(n), as_json, _lines(n))


@credit_note.command("document")
@click.argument("ref")
@output_option
@pass_cli
def credit_note_document(cli: Cli, ref, target) -> None:
    """Écrire l'avoir (PDF Factur-X) dans un fichier."""
    write_document(cli, "credit_note", cli.container.document_queries().credit_note(cli.company_id(), ref).id, target)


credit_note.add_command(credit_note_document, "pdf")


REFUND_CHOICES = {PAYMENT_METHOD_CODES[m]: m
                  for m in (PaymentMethod.CHEQUE, PaymentMethod.TRANSFER, PaymentMethod.CASH)}


@credit_note.command("refund")
@click.argument("ref")
@click.option("--method", "method", type=click.Choice(list(REFUND_CHOICES), case_sensitive=False), required=True,
              help="Mode de remboursement (un paiement par carte est remboursé sur la carte, automatiquement).")
@click.option("--on", "refunded_on", type=DATE, required=True,
              help="Jour du remboursement, JJ/MM/AAAA ou AAAA-MM-JJ (pas dans le futur).")
@click.option("--reference", default="", help="N° du chèque, référence du virement.")
@json_option
@pass_cli
def credit_note_refund(cli: Cli, ref, method, refunded_on, reference, as_json) -> None:
    """Enregistrer le remboursement d'un avoir fait par vos soins (chèque, virement, espèces), pour une facture
    réglée autrement que par carte : l'attestation fiscale compte alors le règlement moins ce remboursement."""
    company_id = cli.company_id()
    found = cli.container.document_queries().credit_note(company_id, ref)
    note = cli.container.record_refund()(RecordRefund(company_id, found.id, REFUND_CHOICES[method.lower()],
                                                       refunded_on.date(), reference))
    if not as_json:
        click.echo(f"Remboursement enregistré : avoir {note.number}, {note.refund_amount}.")
    cli.drain()
    final = cli.container.document_queries().credit_note(company_id, note.id)
    output(s.credit_note(final), as_json, _lines(final)[-1:])
