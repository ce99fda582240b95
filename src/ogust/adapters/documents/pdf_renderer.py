"""French PDF documents: devis, invoice (Factur-X EN 16931 embedded), avoir, attestation fiscale.

fpdf2 (pure Python) draws the pages with the DejaVu Sans fonts shipped in ``fonts/`` (so é, €,
« » and the narrow no-break spaces of French amounts render the same on every machine; parsed
once per process, see ``typefaces``); the ``factur-x`` package embeds the invoice's CII XML
(``facturx_xml`` builds it and checks it against the EN 16931 XSD) and makes the file a PDF/A-3.
Every figure comes from the domain: the PDF and the XML cannot disagree.

The client is shown as the document names them (``shown_client``): an issued document keeps the
client's name, email and address of its issue, so a move or a GDPR erasure of the client record
leaves it as it was issued; a draft shows the client record as it stands.
"""
from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from facturx import generate_from_file, get_facturx_xml_from_pdf
from fpdf import FPDF, XPos, YPos
from fpdf.enums import TextEmphasis
from fpdf.fonts import FontFace

from ogust.adapters.documents import facturx_xml, typefaces
from ogust.application.ports import DocumentContext
from ogust.domain.address import Address
from ogust.domain.attestation import Attestation, AttestationStatus
from ogust.domain.client import Client
from ogust.domain.client_identity import ClientIdentity
from ogust.domain.company import Company
from ogust.domain.credit_note import CreditNote, RefundStatus
from ogust.domain.devis import AcceptanceChannel, Devis, DevisStatus
from ogust.domain.invoice import Invoice, InvoiceSource, InvoiceStatus
from ogust.domain.lines import PricedLine
from ogust.domain.money import Money, VatRate, total
from ogust.domain.payment import PaymentMethod
from ogust.domain.tarif import InterventionMode
from ogust.domain.units import Unit

logging.getLogger("factur-x").setLevel(logging.WARNING)

FAMILY = "DejaVu"
INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (31, 78, 121)
LIGHT = (232, 239, 247)
RULE = (190, 200, 212)
STRIPE = (246, 248, 251)
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]

DEVIS_NOTICE = ("Le vendeur remet gratuitement un devis personnalisé au consommateur à qui il propose une "
                "prestation ou un ensemble de prestations dont le prix total est supérieur ou égal à 100 € TTC "
                "par mois ou au consommateur qui le demande.")
TAX_CREDIT = ("Crédit d'impôt : les sommes versées au titre de ces prestations de services à la personne ouvrent "
              "droit à un crédit d'impôt sur le revenu égal à 50 % des dépenses engagées, dans les conditions et "
              "limites prévues à l'article 199 sexdecies du code général des impôts. Une attestation fiscale "
              "annuelle vous est adressée.")
MANDATAIRE = ("Mode mandataire : le client est l'employeur de l'intervenant. Il lui verse son salaire et acquitte "
              "les cotisations sociales ; les frais de gestion de l'organisme s'ajoutent à ces sommes.")
# an invoice of the company's former software, brought into ogust with its history (issue 18)
IMPORTED = ("Facture émise par le précédent logiciel de gestion de l'entreprise, sous ce numéro et à cette date, "
            "et reprise dans ogust à l'identique : ce document en reproduit le contenu.")
MODE_LABELS = {InterventionMode.PRESTATAIRE: "prestataire", InterventionMode.MANDATAIRE: "mandataire"}


def date_fr(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def duration_fr(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def _unit_price(line: PricedLine) -> str:
    return f"{line.unit_price_ht} / {'h' if line.quantity.unit is Unit.HOUR else 'forfait'}"


class _Page(FPDF):
    """An A4 page with the shipped fonts and a footer naming the provider and the page."""

    def __init__(self, footer: str, created: datetime) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        # The DejaVu faces, parsed once per process: regular and bold for every document, italic
        # when first used (set_font), so that a document without italic does not embed it.
        typefaces.lend(self, FAMILY, ("", "B"))
        self.set_margins(15, 14, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_creation_date(created)
        self.set_lang("fr-FR")
        self.set_creator("ogust")
        self.footer_text = footer
        self.add_page()

    def set_font(self, family: str | None = None, style: str | TextEmphasis = "", size: float = 0) -> None:
        face = typefaces.face_style(style)
        if (family or self.font_family).lower() == FAMILY.lower() and face in typefaces.FILES:
            typefaces.lend(self, FAMILY, (face,))
        super().set_font(family, style, size)

    @property
    def width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def footer(self) -> None:
        self.set_y(-13)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_font(FAMILY, "", 6.5)
        self.set_text_color(*MUTED)
        self.cell(self.width - 25, 5, self.footer_text, new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.cell(25, 5, f"Page {self.page_no()} / {{nb}}", align="R")

    # ------------------------------------------------------------------ building blocks
    def font(self, size: float = 8.5, style: str = "", color: tuple[int, int, int] = INK) -> None:
        self.set_font(FAMILY, style, size)
        self.set_text_color(*color)

    def para(self, text: str, size: float = 8.5, style: str = "", color: tuple[int, int, int] = INK,
             height: float = 4.2, after: float = 1.5, align: str = "L") -> None:
        self.font(size, style, color)
        self.multi_cell(self.width, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(after)

    def section(self, title: str) -> None:
        if self.get_y() > self.h - 40:
            self.add_page()
        self.ln(2)
        self.font(9.5, "B", ACCENT)
        self.cell(self.width, 5.5, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.3)
        self.line(self.l_margin, self.get_y(), self.l_margin + self.width, self.get_y())
        self.set_line_width(0.2)
        self.ln(1.8)

    def heading(self, company: Company, title: str, facts: Sequence[tuple[str, str]]) -> None:
        """Provider identity on the left, the document's title and references on the right."""
        top = self.get_y()
        left = self.width * 0.56
        self.font(13, "B", ACCENT)
        self.multi_cell(left - 4, 6, company.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.font(8.2)
        lines = [
            company.address.street,
            f"{company.address.postal_code} {company.address.city}",
            f"SIRET : {company.siret}",
            f"N° TVA intracommunautaire : {facturx_xml.french_vat_number(company.siret)}",
            f"Déclaration SAP n° {company.sap_declaration_number} du {date_fr(company.sap_declaration_date)}",
        ]
        if company.email:
            lines.append(company.email)
        for line in lines:
            self.cell(left - 4, 4.1, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        bottom = self.get_y()

        x = self.l_margin + left
        self.set_xy(x, top)
        self.font(17, "B", ACCENT)
        self.cell(self.width - left, 8, title, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.ln(1)
        for label, value in facts:
            self.set_x(x)
            self.font(8.2, "", MUTED)
            self.cell(30, 4.6, label)
            self.font(8.2, "B")
            self.cell(self.width - left - 30, 4.6, value, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_y(max(bottom, self.get_y()) + 4)

    def parties(self, client: ClientIdentity, left_title: str, left_lines: Sequence[str]) -> None:
        """Two boxes: something on the left (place of intervention, period…), the client on the right."""
        top = self.get_y()
        gap = 6
        half = (self.width - gap) / 2
        right_lines = [client.full_name, client.address.street, f"{client.address.postal_code} {client.address.city}"]
        if client.email:
            right_lines.append(client.email)
        heights = []
        for x, title, lines in ((self.l_margin, left_title, left_lines),
                                (self.l_margin + half + gap, "Client", right_lines)):
            self.set_xy(x + 3, top + 2.5)
            self.font(7.2, "B", MUTED)
            self.cell(half - 6, 4, title.upper(), new_x=XPos.LEFT, new_y=YPos.NEXT)
            for index, line in enumerate(lines):
                self.set_x(x + 3)
                self.font(8.8 if index == 0 else 8.2, "B" if index == 0 else "")
                self.multi_cell(half - 6, 4.3, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
            heights.append(self.get_y() - top + 2.5)
        height = max(heights)
        self.set_draw_color(*RULE)
        self.set_fill_color(*LIGHT)
        self.rect(self.l_margin + half + gap, top, half, height)
        self.rect(self.l_margin, top, half, height)
        self.set_y(top + height + 4)

    def table(self, headings: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[float],
              aligns: Sequence[str], size: float = 7.8, bold_last: bool = False) -> None:
        rows = list(rows)
        self.font(size)
        self.set_draw_color(*RULE)
        self.set_fill_color(255, 255, 255)
        style = FontFace(family=FAMILY, emphasis="BOLD", size_pt=size, color=ACCENT, fill_color=LIGHT)
        with super().table(col_widths=widths, width=self.width, text_align=aligns, line_height=size * 0.48,
                           headings_style=style, borders_layout="HORIZONTAL_LINES", padding=(1.2, 1.2),
                           v_align="TOP", cell_fill_color=STRIPE, cell_fill_mode="ROWS") as table:
            table.row(list(headings))
            for index, cells in enumerate(rows):
                last = bold_last and index == len(rows) - 1
                row = table.row(style=FontFace(emphasis="BOLD") if last else None)
                for cell in cells:
                    row.cell(cell)
        self.ln(2)

    def totals(self, rows: Sequence[tuple[str, str]], vat: Sequence[tuple[str, str, str]] | None = None) -> None:
        """VAT breakdown on the left (rate, base, VAT), totals on the right; the last total stands out."""
        top = self.get_y()
        if top > self.h - 50:
            self.add_page()
            top = self.get_y()
        box = 78
        x = self.l_margin + self.width - box
        if vat:
            self.set_xy(self.l_margin, top)
            self.font(7.6, "B", ACCENT)
            for text, width, align in (("Taux de TVA", 26, "L"), ("Base HT", 26, "R"), ("TVA", 24, "R")):
                self.cell(width, 5, text, align=align, fill=False)
            self.ln(5)
            self.set_draw_color(*RULE)
            for rate, base, tax in vat:
                self.line(self.l_margin, self.get_y(), self.l_margin + 76, self.get_y())
                self.font(7.8)
                self.cell(26, 4.8, rate)
                self.cell(26, 4.8, base, align="R")
                self.cell(24, 4.8, tax, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        left_bottom = self.get_y()
        self.set_xy(x, top)
        for index, (label, value) in enumerate(rows):
            last = index == len(rows) - 1
            self.set_x(x)
            if last:
                self.set_fill_color(*ACCENT)
                self.font(9.5, "B", (255, 255, 255))
                self.cell(box - 34, 7, f"  {label}", fill=True)
                self.cell(34, 7, f"{value}  ", align="R", fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            else:
                self.font(8.5)
                self.cell(box - 34, 5.2, f"  {label}")
                self.cell(34, 5.2, f"{value}  ", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(max(left_bottom, self.get_y()) + 4)

    def notice(self, text: str, size: float = 7.4, style: str = "") -> None:
        self.para(text, size=size, style=style, color=MUTED, height=3.5, after=1.5)

    def output_bytes(self) -> bytes:
        return bytes(self.output(output_producer_class=typefaces.SharedFacesOutput))


def _vat_rows(breakdown: dict[VatRate, Money], bases: dict[VatRate, Money]) -> list[tuple[str, str, str]]:
    return [(rate.percent_label, str(bases[rate]), str(breakdown[rate]))
            for rate in sorted(breakdown, key=lambda r: r.value)]


def _bases(lines: Iterable) -> dict[VatRate, Money]:
    bases: dict[VatRate, Money] = {}
    for line in lines:
        bases[line.vat_rate] = bases.get(line.vat_rate, Money.zero()) + line.amount_ht
    return bases


def _footer(company: Company) -> str:
    return (f"{company.name} — {company.address.one_line()} — SIRET {company.siret} — "
            f"Déclaration SAP n° {company.sap_declaration_number}")


def _moment(value: datetime | None, zone: ZoneInfo, fallback: date | None = None) -> datetime:
    if value is not None:
        return value.astimezone(zone)
    return datetime.combine(fallback or date(2000, 1, 1), time(12, 0), zone)


class PdfDocumentRenderer:
    """``DocumentRenderer`` producing PDF files (invoices and avoirs are Factur-X EN 16931)."""

    media_type = "application/pdf"
    extension = "pdf"

    # ------------------------------------------------------------------ invoice
    def invoice(self, invoice: Invoice, company: Company, client: Client,
                context: DocumentContext | None = None) -> bytes:
        context = context or DocumentContext(company, client)
        shown = invoice.shown_client(client)
        zone = ZoneInfo(company.timezone)
        pdf = _Page(_footer(company), _moment(invoice.created_at, zone, invoice.issued_on))
        draft = invoice.is_draft
        number = invoice.number or "brouillon"
        pdf.set_title(f"Facture {number} — {company.name}")
        pdf.set_author(company.name)
        pdf.set_subject(f"Facture {number} de {company.name} à {shown.full_name}")
        facts = [("Numéro", number), ("Date d'émission", date_fr(invoice.issued_on) or "—")]
        if invoice.due_on:
            facts.append(("Échéance", date_fr(invoice.due_on)))
        if invoice.period_start and invoice.period_end:
            facts.append(("Période", f"{date_fr(invoice.period_start)} – {date_fr(invoice.period_end)}"))
        pdf.heading(company, "FACTURE (BROUILLON)" if draft else "FACTURE", facts)

        places = self._places(invoice, context, shown)
        pdf.parties(shown, "Lieu d'intervention", places)

        modes = self._modes(invoice.lines, context)
        pdf.section("Prestations")
        rows = []
        for line in invoice.lines:
            when = date_fr(line.performed_on) or "—"
            intervention = context.interventions.get(line.intervention_id or "")
            if intervention is not None:
                start, end = intervention.start.astimezone(zone), intervention.end.astimezone(zone)
                when += f"\n{start:%H:%M}–{end:%H:%M}"
            who = (f"{line.intervenant_name or ''}\nIdentifiant : {line.intervenant_matricule}"
                   if line.intervenant_matricule else "—")
            label = line.label
            mode = modes.get(line.tarif_id)
            if mode is not None:
                label += f"\nMode {MODE_LABELS[mode]}"
            rows.append([when, label, who, line.quantity.label_fr(), _unit_price(line), line.vat_rate.percent_label,
                         str(line.amount_ht), str(line.amount_ttc)])
        pdf.table(["Date", "Prestation", "Intervenant", "Durée / qté", "Prix unitaire HT", "TVA", "Montant HT",
                   "Montant TTC"], rows, (22, 37, 31, 15, 24, 11, 20, 20),
                  ("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"))
        pdf.totals([("Total HT", str(invoice.total_ht)), ("Total TVA", str(invoice.total_vat)),
                    ("Total TTC", str(invoice.total_ttc))],
                   _vat_rows(invoice.vat_breakdown(), _bases(invoice.lines)))

        pdf.section("Paiement")
        pdf.para(self._payment_status(invoice, context, zone), size=8.5, style="B")
        pdf.para("Conditions de paiement : à réception de la facture, sans escompte pour paiement anticipé.",
                 size=8)
        if context.credit_notes:
            pdf.para("Avoirs émis sur cette facture : " + " ; ".join(
                f"{note.number} du {date_fr(note.issued_on)} ({note.total_ttc} TTC)" for note in context.credit_notes),
                size=8)

        pdf.section("Mentions")
        if any(line.tax_credit_eligible for line in invoice.lines):
            pdf.notice(TAX_CREDIT)
        if InterventionMode.MANDATAIRE in modes.values():
            pdf.notice(MANDATAIRE)
        pdf.notice(f"Organisme de services à la personne déclaré sous le n° {company.sap_declaration_number} "
                   f"le {date_fr(company.sap_declaration_date)}. Facture émise sous un numéro unique, chronologique "
                   "et continu ; toute correction fait l'objet d'un avoir.")
        if invoice.source is InvoiceSource.IMPORTED:
            pdf.notice(IMPORTED)
        document = pdf.output_bytes()
        if draft or invoice.issued_on is None or invoice.source is InvoiceSource.IMPORTED:
            return document  # a reproduction of the former software's invoice is no new e-invoice
        paid = invoice.paid_ttc  # received in part so far
        if invoice.status is InvoiceStatus.PAID:
            received = total([p.amount for p in context.payments if p.invoice_id == invoice.id])
            paid = received if received.cents else invoice.total_ttc
        # paid by cheque, transfer, CESU or cash: the saved card was not the means of payment
        payments = [p for p in context.payments if p.invoice_id == invoice.id]
        card = any(p.method is PaymentMethod.CARD for p in payments) or (
            not payments and bool(client.stripe_payment_method_id))
        period = self._period(invoice)
        xml = facturx_xml.build(
            number=invoice.number or "", type_code=facturx_xml.INVOICE_TYPE, issued_on=invoice.issued_on,
            company=company, client=shown, lines=facturx_xml.invoice_lines(invoice),
            vat_breakdown=invoice.vat_breakdown(), total_ht=invoice.total_ht, total_vat=invoice.total_vat,
            total_ttc=invoice.total_ttc,
            settlement=facturx_xml.Settlement(min(paid, invoice.total_ttc), card, invoice.due_on,
                                              "Paiement à réception, sans escompte."),
            notes=self._xml_notes(company, any(l.tax_credit_eligible for l in invoice.lines)),
            place=self._place_address(invoice, context, shown), period=period,
        )
        return self._facturx(document, xml, f"Facture {invoice.number}", company, shown)

    @staticmethod
    def _modes(lines: Iterable[PricedLine], context: DocumentContext) -> dict[str, InterventionMode]:
        return {line.tarif_id: context.tarifs[line.tarif_id].mode for line in lines if line.tarif_id in context.tarifs}

    @staticmethod
    def _place_address(invoice: Invoice, context: DocumentContext, client: ClientIdentity) -> Address:
        for line in invoice.lines:
            intervention = context.interventions.get(line.intervention_id or "")
            if intervention is not None:
                return intervention.address
        return client.address

    def _places(self, invoice: Invoice, context: DocumentContext, client: ClientIdentity) -> list[str]:
        addresses: list[Address] = []
        for line in invoice.lines:
            intervention = context.interventions.get(line.intervention_id or "")
            if intervention is not None and intervention.address not in addresses:
                addresses.append(intervention.address)
        if not addresses:
            return [client.full_name, client.address.street, f"{client.address.postal_code} {client.address.city}",
                    "(domicile du client)"]
        lines = [client.full_name]
        for address in addresses:
            lines += [address.street, f"{address.postal_code} {address.city}"]
        return lines

    @staticmethod
    def _period(invoice: Invoice) -> tuple[date, date] | None:
        if invoice.period_start and invoice.period_end:
            return invoice.period_start, invoice.period_end
        days = [line.performed_on for line in invoice.lines if line.performed_on]
        return (min(days), max(days)) if days else None

    @staticmethod
    def _payment_status(invoice: Invoice, context: DocumentContext, zone: ZoneInfo) -> str:
        if invoice.status is InvoiceStatus.PAID:
            payments = [p for p in context.payments if p.invoice_id == invoice.id]
            method = payments[-1].method.label_fr if payments else "carte bancaire"
            when = date_fr(invoice.paid_at.astimezone(zone).date()) if invoice.paid_at else ""
            reference = f" (réf. {invoice.payment_reference})" if invoice.payment_reference else ""
            return f"Statut : payée le {when} par {method}{reference}."
        if invoice.status is InvoiceStatus.DRAFT:
            return "Statut : brouillon — ce document n'est pas une facture."
        if invoice.status is InvoiceStatus.CREDITED:
            return f"Statut : soldée par avoir — rien à payer (avoirs : {invoice.credited_ttc} TTC)."
        due = f" — échéance le {date_fr(invoice.due_on)}" if invoice.due_on else ""
        if invoice.credited_ttc.cents or invoice.paid_ttc.cents:  # what is left to pay, said, not left to subtract
            less = "".join([f" moins les avoirs, {invoice.credited_ttc}" if invoice.credited_ttc.cents else "",
                            f" moins les règlements reçus, {invoice.paid_ttc}" if invoice.paid_ttc.cents else ""])
            due = f" : {invoice.amount_due} ({invoice.total_ttc} TTC{less}){due}"
        if invoice.status is InvoiceStatus.PAYMENT_FAILED:
            return f"Statut : à payer{due}. Le débit de la carte a été refusé ({invoice.payment_failure or 'refus'})."
        if invoice.status is InvoiceStatus.NEEDS_AUTHENTICATION:
            return f"Statut : à payer{due}. Votre banque demande de confirmer le paiement (3-D Secure)."
        if invoice.will_be_debited(context.client):
            return f"Statut : à payer{due}. Le montant est débité sur la carte enregistrée lors de la commande."
        return (f"Statut : à payer{due}. Règlement par virement, chèque, CESU ou espèces, en rappelant le numéro "
                "de la facture.")

    @staticmethod
    def _xml_notes(company: Company, tax_credit: bool) -> list[tuple[str, str]]:
        notes = [((f"Organisme de services à la personne déclaré sous le n° {company.sap_declaration_number} "
                  f"le {date_fr(company.sap_declaration_date)}."), "REG")]
        if tax_credit:
            notes.append((TAX_CREDIT, "AAI"))
        return notes

    @staticmethod
    def embedded_xml(document: bytes) -> bytes | None:
        """The Factur-X XML attached to the PDF (the very bytes ``_facturx`` embedded), None without one."""
        _, xml = get_facturx_xml_from_pdf(document, check_xsd=False)
        return xml or None

    @staticmethod
    def _facturx(document: bytes, xml: bytes, title: str, company: Company, client: ClientIdentity) -> bytes:
        """The PDF/A-3 with ``xml`` attached. Written to a file of its own: ``generate_from_binary``
        writes the new PDF into the temporary file it read the PDF from, after what it read
        (akretion/factur-x#24), so the file came out twice as big, starting with half of the
        plain PDF that nothing refers to."""
        with tempfile.TemporaryDirectory(prefix="ogust-facturx-") as folder:
            written = Path(folder) / "facturx.pdf"
            generate_from_file(
                BytesIO(document), xml, flavor="factur-x", level="en16931", check_xsd=False,  # checked by build()
                lang="fr-FR", output_pdf_file=str(written),
                pdf_metadata={"author": company.name, "keywords": "Factur-X, facture, services à la personne",
                              "title": f"{title} — {company.name}",
                              "subject": f"{title} de {company.name} à {client.full_name}"},
            )
            return written.read_bytes()

    # ------------------------------------------------------------------ devis
    def devis(self, devis: Devis, company: Company, client: Client, context: DocumentContext | None = None) -> bytes:
        context = context or DocumentContext(company, client)
        shown = devis.shown_client(client)
        zone = ZoneInfo(company.timezone)
        created = _moment(devis.created_at, zone)
        pdf = _Page(_footer(company), created)
        reference = f"DV-{devis.id[:8].upper()}"
        pdf.set_title(f"Devis {reference} — {company.name}")
        pdf.set_author(company.name)
        facts = [("Référence", reference), ("Date", date_fr(created.date()) if devis.created_at else "—")]
        if devis.status is DevisStatus.ACCEPTED and devis.accepted_at:
            channel = "en ligne" if devis.acceptance_channel is AcceptanceChannel.SHOP else "par le client"
            facts.append(("Accepté", f"le {date_fr(devis.accepted_at.astimezone(zone).date())} {channel}"))
        else:
            facts.append(("Validité", "1 mois"))
        pdf.heading(company, "DEVIS", facts)

        interventions = sorted((i for i in context.interventions.values() if i.devis_id == devis.id),
                               key=lambda i: i.start)
        place = interventions[0].address if interventions else shown.address
        pdf.parties(shown, "Lieu d'intervention",
                    [shown.full_name, place.street, f"{place.postal_code} {place.city}"])
        pdf.para("Devis gratuit et personnalisé. Prix exprimés hors taxes (HT) et toutes taxes comprises (TTC).",
                 size=8, color=MUTED)

        modes = self._modes(devis.lines, context)
        pdf.section("Prestations proposées")
        rows = []
        for line in devis.lines:
            mode = modes.get(line.tarif_id)
            rate = "horaire" if line.quantity.unit is Unit.HOUR else "forfaitaire"
            unit = "/ h" if line.quantity.unit is Unit.HOUR else "/ forfait"
            rows.append([line.label, MODE_LABELS[mode] if mode else "prestataire", rate, line.quantity.label_fr(),
                         f"{line.unit_price_ht} {unit}", f"{line.vat_rate.gross(line.unit_price_ht)} {unit}",
                         line.vat_rate.percent_label, str(line.amount_ht), str(line.amount_ttc)])
        pdf.table(["Prestation", "Mode", "Tarif", "Qté", "Prix unitaire HT", "Prix unitaire TTC",
                   "TVA", "Total HT", "Total TTC"], rows, (31, 19, 18, 14, 24, 24, 12, 19, 19),
                  ("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"))
        pdf.para("Frais annexes : aucun.", size=8)
        pdf.totals([("Total HT", str(devis.total_ht)), ("Total TVA", str(devis.total_vat)),
                    ("Total TTC", str(devis.total_ttc))], _vat_rows(devis.vat_breakdown(), _bases(devis.lines)))

        if interventions:
            pdf.section("Interventions prévues")
            intervenants = context.intervenants
            pdf.table(["Date", "Horaires", "Intervenant", "Durée"], [
                [date_fr(i.start.astimezone(zone).date()),
                 f"{i.start.astimezone(zone):%H:%M}–{i.end.astimezone(zone):%H:%M}",
                 (f"{intervenants[i.intervenant_id].full_name} ({intervenants[i.intervenant_id].matricule})"
                  if i.intervenant_id in intervenants else "—"),
                 duration_fr(i.minutes)] for i in interventions],
                (30, 30, 90, 30), ("LEFT", "LEFT", "LEFT", "RIGHT"))

        pdf.section("Information du consommateur")
        pdf.para(DEVIS_NOTICE, size=8.5, style="B")
        if InterventionMode.MANDATAIRE in modes.values():
            pdf.notice(MANDATAIRE, size=7.8)
        pdf.notice(f"Organisme de services à la personne déclaré sous le n° {company.sap_declaration_number} "
                   f"le {date_fr(company.sap_declaration_date)}.")
        known = [context.tarifs[line.tarif_id] for line in devis.lines if line.tarif_id in context.tarifs]
        if not known or any(tarif.tax_credit_eligible for tarif in known):  # no advantage promised for none
            pdf.notice("Avantage fiscal (à titre indicatif) : " + TAX_CREDIT.removeprefix("Crédit d'impôt : "),
                       size=6.8, style="I")

        if devis.status is DevisStatus.ACCEPTED:
            accepted_on = date_fr(devis.accepted_at.astimezone(zone).date()) if devis.accepted_at else ""
            pdf.para(f"Devis accepté le {accepted_on}"
                     + (" lors de la commande en ligne." if devis.acceptance_channel is AcceptanceChannel.SHOP
                        else "."), size=8.5, style="B")
        else:
            self._signature(pdf)
        return pdf.output_bytes()

    @staticmethod
    def _signature(pdf: _Page) -> None:
        if pdf.get_y() > pdf.h - 50:
            pdf.add_page()
        pdf.ln(2)
        top = pdf.get_y()
        x = pdf.l_margin + pdf.width - 85
        pdf.set_draw_color(*RULE)
        pdf.rect(x, top, 85, 26)
        pdf.set_xy(x + 3, top + 2)
        pdf.font(8, "B")
        pdf.cell(79, 4.5, "Bon pour accord", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_x(x + 3)
        pdf.font(7.5, "", MUTED)
        pdf.cell(79, 4.5, "Date et signature du client :")
        pdf.set_y(top + 30)

    # ------------------------------------------------------------------ credit note
    def credit_note(self, credit_note: CreditNote, company: Company, client: Client,
                    context: DocumentContext | None = None) -> bytes:
        context = context or DocumentContext(company, client)
        shown = credit_note.shown_client(client)
        zone = ZoneInfo(company.timezone)
        pdf = _Page(_footer(company), _moment(credit_note.created_at, zone, credit_note.issued_on))
        pdf.set_title(f"Avoir {credit_note.number} — {company.name}")
        pdf.set_author(company.name)
        invoice = context.invoice
        facts = [("Numéro", credit_note.number), ("Date d'émission", date_fr(credit_note.issued_on)),
                 ("Facture d'origine", credit_note.invoice_number)]
        if invoice is not None and invoice.issued_on:
            facts.append(("Facturée le", date_fr(invoice.issued_on)))
        pdf.heading(company, "AVOIR", facts)
        pdf.parties(shown, "Objet", [f"Avoir sur la facture n° {credit_note.invoice_number}",
                                      f"Motif : {credit_note.reason}"])

        pdf.section("Détail de l'avoir")
        pdf.table(["Désignation", "Taux TVA", "Montant HT", "TVA", "Montant TTC"],
                  [[line.label, line.vat_rate.percent_label, str(line.amount_ht), str(line.amount_vat),
                    str(line.amount_ttc)] for line in credit_note.lines],
                  (94, 16, 23, 23, 24), ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"))
        pdf.totals([("Total HT", str(credit_note.total_ht)), ("Total TVA", str(credit_note.total_vat)),
                    ("Total TTC de l'avoir", str(credit_note.total_ttc))],
                   _vat_rows(credit_note.vat_breakdown(), _bases(credit_note.lines)))

        pdf.section("Remboursement")
        pdf.para(self._refund_status(credit_note, zone), size=8.5, style="B")
        pdf.section("Mentions")
        pdf.notice(f"Avoir émis en rectification de la facture n° {credit_note.invoice_number}, qui n'est pas "
                   "modifiée. Numérotation des avoirs unique, chronologique et continue.")
        pdf.notice(f"Organisme de services à la personne déclaré sous le n° {company.sap_declaration_number} "
                   f"le {date_fr(company.sap_declaration_date)}. Les montants remboursés sont déduits des sommes "
                   "retenues sur l'attestation fiscale annuelle.")
        document = pdf.output_bytes()
        refunded = credit_note.refund_amount if credit_note.refund_status is RefundStatus.SUCCEEDED else Money.zero()
        xml = facturx_xml.build(
            number=credit_note.number, type_code=facturx_xml.CREDIT_NOTE_TYPE, issued_on=credit_note.issued_on,
            company=company, client=shown, lines=facturx_xml.credit_note_lines(credit_note),
            vat_breakdown=credit_note.vat_breakdown(), total_ht=credit_note.total_ht,
            total_vat=credit_note.total_vat, total_ttc=credit_note.total_ttc,
            settlement=facturx_xml.Settlement(refunded, credit_note.refund_status is not RefundStatus.NONE, None,
                                              f"Motif : {credit_note.reason}"),
            notes=self._xml_notes(company, False),
            referenced_invoice=(credit_note.invoice_number, invoice.issued_on if invoice else None),
        )
        return self._facturx(document, xml, f"Avoir {credit_note.number}", company, shown)

    @staticmethod
    def _refund_status(note: CreditNote, zone: ZoneInfo) -> str:
        amount = note.refund_amount
        if note.refund_status is RefundStatus.SUCCEEDED and note.refund_method is not None:
            when = date_fr(note.refunded_at.astimezone(zone).date()) if note.refunded_at else ""
            return (f"Remboursé : {amount} par {note.refund_method.label_fr}, le {when}"
                    + (f" (réf. {note.refund_id})." if note.refund_id else "."))
        if note.refund_status is RefundStatus.SUCCEEDED:
            when = date_fr(note.refunded_at.astimezone(zone).date()) if note.refunded_at else ""
            return (f"Remboursé : {amount} sur la carte bancaire ayant servi au paiement, le {when}"
                    + (f" (réf. {note.refund_id})." if note.refund_id else "."))
        if note.refund_status is RefundStatus.PENDING:
            return f"Remboursement en cours : {amount} sur la carte bancaire ayant servi au paiement."
        if note.refund_status is RefundStatus.FAILED:
            return f"Remboursement par carte non effectué ({note.refund_failure}) : nous vous contactons."
        return (f"Aucun paiement par carte à rembourser : le montant de l'avoir, {note.total_ttc}, vient en "
                f"déduction de ce qui reste dû sur la facture n° {note.invoice_number} ; si vous l'avez déjà "
                "réglée, nous vous le remboursons.")

    # ------------------------------------------------------------------ attestation
    def attestation(self, attestation: Attestation, company: Company, client: Client,
                    context: DocumentContext | None = None) -> bytes:
        shown = attestation.shown_client(client)
        zone = ZoneInfo(company.timezone)
        made = _moment(attestation.validated_at or attestation.created_at, zone)
        pdf = _Page(_footer(company), made)
        draft = attestation.status is not AttestationStatus.VALIDATED
        pdf.set_title(f"Attestation fiscale {attestation.year} — {shown.full_name}")
        pdf.set_author(company.name)
        pdf.heading(company, "ATTESTATION FISCALE RECTIFICATIVE" if attestation.replaces_id else "ATTESTATION FISCALE",
                    [("Année", str(attestation.year)), ("Numéro", attestation.number or "brouillon"),
                     ("Date", date_fr(made.date()))])
        pdf.parties(shown, "Prestataire", [
            company.name, f"Déclaration SAP n° {company.sap_declaration_number}",
            f"du {date_fr(company.sap_declaration_date)}"])
        if draft:
            pdf.para("BROUILLON — attestation non encore validée.", size=9, style="B", color=(176, 42, 55))
        if attestation.replaces_id:
            pdf.para(f"Cette attestation annule et remplace l'attestation n° {attestation.replaces_number} de "
                     f"{attestation.year} : déclarez le montant ci-dessous.", size=9, style="B", after=2)

        pdf.para(
            f"Je soussigné(e), représentant(e) de {company.name}, organisme de services à la personne déclaré "
            f"sous le n° {company.sap_declaration_number} le {date_fr(company.sap_declaration_date)}, atteste que "
            f"{shown.full_name}, demeurant {shown.address.one_line()}, a bénéficié de services à la personne "
            f"à son domicile en {attestation.year} et a acquitté à ce titre la somme indiquée ci-dessous.",
            size=8.8, height=4.6, after=3)

        top = pdf.get_y()
        pdf.set_fill_color(*LIGHT)
        pdf.set_draw_color(*ACCENT)
        pdf.rect(pdf.l_margin, top, pdf.width, 13, style="DF")
        pdf.set_xy(pdf.l_margin + 4, top + 1.8)
        pdf.font(8.5, "", ACCENT)
        pdf.cell(pdf.width - 8, 4.5, f"Montant payé en {attestation.year} ouvrant droit au crédit d'impôt",
                 new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.font(12, "B", ACCENT)
        pdf.cell(pdf.width - 8, 6, str(attestation.amount_paid))
        pdf.set_y(top + 17)
        if attestation.refunds_deducted.cents:
            pdf.para(f"Ce montant est net des remboursements reçus en {attestation.year} sur des paiements des "
                     f"années précédentes : {attestation.refunds_deducted} déduits (un remboursement diminue "
                     "les dépenses de l'année où il est reçu).",
                     size=8.8, height=4.6, after=3)
        if attestation.cesu_paid.cents:
            pdf.para(f"Réglé en CESU préfinancés en {attestation.year}, non compris dans ce montant : "
                     f"{attestation.cesu_paid}. Seule la part de ces CESU que vous avez financée vous-même "
                     "ouvre droit au crédit d'impôt (votre employeur ou l'organisme financeur vous indique le "
                     "montant de son aide).",
                     size=8.8, height=4.6, after=3)

        pdf.section("Interventions (regroupées par mois)")
        rows = [[f"{MONTHS[line.month - 1]} {line.year or attestation.year}", line.intervenant_name,
                 line.intervenant_matricule, str(line.interventions),
                 duration_fr(line.minutes) if line.minutes else "au forfait"]  # flat-rate services only
                for line in attestation.lines]
        rows.append(["Total", "", "", str(sum(line.interventions for line in attestation.lines)),
                     duration_fr(attestation.total_minutes)])
        pdf.table(["Mois", "Intervenant", "Identifiant", "Interventions", "Durée"], rows, (34, 62, 30, 27, 27),
                  ("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"), bold_last=True)

        pdf.section("Mentions")
        pdf.notice("Montant effectivement payé par le client au cours de l'année, par carte, virement ou chèque, "
                   "pour des prestations ouvrant droit au crédit d'impôt. Sont exclus : les paiements en "
                   "espèces, l'avance immédiate versée par l'URSSAF, les aides (APA, PCH) et les CESU préfinancés ; "
                   "si vous avez utilisé des CESU préfinancés, seule la part que vous avez financée vous-même est "
                   "éligible.")
        pdf.notice(TAX_CREDIT.removesuffix(" Une attestation fiscale annuelle vous est adressée."))
        pdf.notice("Document à conserver : l'administration fiscale peut vous le demander.")
        pdf.ln(2)
        pdf.para(f"Fait à {company.address.city}, le {date_fr(made.date())}, pour {company.name}.", size=8.8)
        return pdf.output_bytes()
