"""(5) Rendering the PDF documents: milliseconds per invoice (Factur-X), attestation fiscale, credit
note (Factur-X) and devis, the median of N renders each after one warm-up render, and where the
time of one render goes (cProfile).

    .venv/bin/python -m bench.documents                       # 30 renders of each kind
    .venv/bin/python -m bench.documents --renders 50 --profile invoice --top 30

The documents are built in memory (no database): a month's contract invoice of 9 interventions
paid by card, a credit note refunded to the card, the year's attestation (12 months, two
intervenants), the devis of the contract.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ogust.adapters.documents.pdf_renderer import PdfDocumentRenderer
from ogust.application.ports import DocumentContext
from ogust.domain.address import Address
from ogust.domain.attestation import Attestation, AttestationLine
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.credit_note import CreditNote, amount_credit_lines
from ogust.domain.devis import AcceptanceChannel, Devis
from ogust.domain.intervenant import Intervenant
from ogust.domain.intervention import Intervention
from ogust.domain.invoice import Invoice, InvoiceSource
from ogust.domain.lines import DevisLine, InvoiceLine
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import Payment, PaymentMethod
from ogust.domain.tarif import Tarif
from ogust.domain.units import Quantity, Unit

PARIS = ZoneInfo("Europe/Paris")
KINDS = ("invoice", "attestation", "credit_note", "devis")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def documents(renderer: PdfDocumentRenderer) -> dict[str, Callable[[], bytes]]:
    """One render function per kind of document."""
    company = Company(name="Aide & Vous Services", address=Address("12 rue des Lilas", "69003", "Lyon"),
                      siret="73282932000074", sap_declaration_number="SAP123456789",
                      sap_declaration_date=date(2021, 3, 1), email="contact@aide-et-vous.example")
    client = Client(company_id=company.id, first_name="Élodie", last_name="Bérénger-Łukasz",
                    email="elodie.berenger@example.fr", address=Address("5 place Bellecour", "69002", "Lyon"),
                    stripe_customer_id="cus_1", stripe_payment_method_id="pm_1")
    men = Tarif(company_id=company.id, code="MEN", label="Ménage", unit=Unit.HOUR, price_ht=Money(2500),
                vat_rate=VatRate.INTERMEDIATE_10)
    toilette = Tarif(company_id=company.id, code="TOILETTE", label="Aide à la toilette", unit=Unit.HOUR,
                     price_ht=Money(3000), vat_rate=VatRate.REDUCED_5_5)
    marie = Intervenant(company_id=company.id, first_name="Marie", last_name="Curie", matricule="M001")
    paul = Intervenant(company_id=company.id, first_name="Paul", last_name="Martin", matricule="M002")
    place = Address("8 rue Mercière", "69002", "Lyon")
    devis = Devis(company_id=company.id, client_id=client.id, created_at=_at(date(2026, 3, 25), 10), lines=[
        DevisLine(men.id, men.label, Quantity.hours_minutes(150), men.price_ht, men.vat_rate),
        DevisLine(toilette.id, toilette.label, Quantity.hours_minutes(45), toilette.price_ht, toilette.vat_rate),
    ])
    devis.send(client)
    devis.accept(_at(date(2026, 3, 25), 10, 5), AcceptanceChannel.SHOP)
    interventions, lines = [], []
    for week in range(9):
        day = date(2026, 4, 1) + timedelta(days=3 * week)
        tarif, who, minutes = (men, marie, 150) if week % 2 == 0 else (toilette, paul, 45)
        start = _at(day, 9)
        intervention = Intervention(company_id=company.id, client_id=client.id, intervenant_id=who.id,
                                    tarif_id=tarif.id, start=start, end=start + timedelta(minutes=minutes),
                                    address=place, devis_id=devis.id)
        interventions.append(intervention)
        lines.append(InvoiceLine(tarif.id, tarif.label, Quantity.hours_minutes(minutes), tarif.price_ht,
                                 tarif.vat_rate, intervention_id=intervention.id, performed_on=day,
                                 intervenant_matricule=who.matricule, intervenant_name=who.full_name))
    invoice = Invoice(company_id=company.id, client_id=client.id, source=InvoiceSource.CONTRACT,
                      created_at=_at(date(2026, 4, 30), 18), period_start=date(2026, 4, 1),
                      period_end=date(2026, 4, 30), lines=lines)
    invoice.validate("FA-2026-000042", date(2026, 4, 30), client)
    invoice.mark_paid("pi_3Nx42", _at(date(2026, 4, 30), 18, 5))
    payment = Payment(company_id=company.id, invoice_id=invoice.id, client_id=client.id, amount=invoice.total_ttc,
                      received_at=_at(date(2026, 4, 30), 18, 5), method=PaymentMethod.CARD, reference="pi_3Nx42")
    note = CreditNote.issue(invoice, "AV-2026-000007", date(2026, 5, 4), "Intervention du 04/04 écourtée",
                            amount_credit_lines(invoice, Money(1000)), [payment], [], _at(date(2026, 5, 4), 9))
    note.mark_refunded("re_1Abc", _at(date(2026, 5, 4), 9, 1))
    attestation = Attestation(
        company_id=company.id, client_id=client.id, year=2026, amount_paid=Money(412_345),
        created_at=_at(date(2027, 1, 15), 9),
        lines=[AttestationLine(who.matricule, who.full_name, month, minutes, count)
               for month in range(1, 13)
               for who, minutes, count in ((marie, 600, 4), (paul, 180, 4))[:1 + month % 2]])
    attestation.validate("AF-2026-000003", _at(date(2027, 1, 15), 9, 30), client, PARIS)
    tarifs = {t.id: t for t in (men, toilette)}
    intervenants = {i.id: i for i in (marie, paul)}
    by_id = {i.id: i for i in interventions}
    invoice_context = DocumentContext(company, client, tarifs=tarifs, interventions=by_id,
                                      intervenants=intervenants, payments=(payment,), credit_notes=(note,))
    note_context = DocumentContext(company, client, invoice=invoice, payments=(payment,))
    devis_context = DocumentContext(company, client, tarifs=tarifs, interventions=by_id, intervenants=intervenants)
    return {
        "invoice": lambda: renderer.invoice(invoice, company, client, invoice_context),
        "attestation": lambda: renderer.attestation(attestation, company, client),
        "credit_note": lambda: renderer.credit_note(note, company, client, note_context),
        "devis": lambda: renderer.devis(devis, company, client, devis_context),
    }


def measure(renders: int = 30, kinds: tuple[str, ...] = KINDS) -> dict:
    """Median, min and max milliseconds per PDF of each kind (wall clock, and the median CPU time
    of the rendering thread, less sensitive to other processes on the machine), and its size; the
    first render of the process (anything loaded once) is reported apart."""
    started = time.perf_counter()
    render = documents(PdfDocumentRenderer())
    results: dict = {}
    for kind in kinds:
        first = time.perf_counter()
        size = len(render[kind]())
        first_ms = 1000 * (time.perf_counter() - first)
        times, cpu = [], []
        for _ in range(renders):
            begin, begin_cpu = time.perf_counter(), time.thread_time()
            render[kind]()
            times.append(1000 * (time.perf_counter() - begin))
            cpu.append(1000 * (time.thread_time() - begin_cpu))
        results[kind] = {"renders": renders, "median_ms": round(statistics.median(times), 1),
                         "median_cpu_ms": round(statistics.median(cpu), 1),
                         "min_ms": round(min(times), 1), "max_ms": round(max(times), 1),
                         "first_ms": round(first_ms, 1), "kb": round(size / 1024, 1)}
    results["total_s"] = round(time.perf_counter() - started, 1)
    return results


def profile(kind: str, top: int = 25) -> str:
    """cProfile of one render (after a warm-up render), sorted by cumulative time."""
    render = documents(PdfDocumentRenderer())[kind]
    render()
    profiler = cProfile.Profile()
    profiler.enable()
    render()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def run(server_url: str | None, workdir: Path, renders: int = 30) -> dict:
    """For ``python -m bench``: no database is used."""
    return measure(renders)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.documents", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=30, help="renders of each kind (default 30)")
    parser.add_argument("--only", action="append", choices=KINDS, help="these kinds only (repeatable)")
    parser.add_argument("--profile", choices=KINDS, help="also print a cProfile of one render of this kind")
    parser.add_argument("--top", type=int, default=25, help="lines of the profile (default 25)")
    args = parser.parse_args()
    results = measure(args.renders, tuple(args.only or KINDS))
    print(json.dumps(results, indent=1))
    for kind in args.only or KINDS:
        r = results[kind]
        print(f"{kind:12} {r['median_ms']:7.1f} ms per PDF (median of {r['renders']}; "
              f"{r['min_ms']}–{r['max_ms']}; CPU {r['median_cpu_ms']} ms; first {r['first_ms']} ms), {r['kb']} KB")
    if args.profile:
        print(profile(args.profile, args.top))


if __name__ == "__main__":
    main()
