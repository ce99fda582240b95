"""Invoices: generated (from the devis, by hand, for a contract's period), validated, then published
to the shop, debited on localstripe and announced by email — by the outbox worker."""
from __future__ import annotations

import html
import re
from datetime import date, datetime
from email.message import EmailMessage

import httpx
from pytest_bdd import given, then, when

from ogust.application import commands as c
from ogust.application.outbox import Effect
from ogust.domain.credit_note import CreditNote
from ogust.domain.invoice import Invoice, InvoiceStatus
from ogust.domain.money import Money
from ogust.domain.payment import PaymentMethod
from tests.bdd.steps.monde import Monde
from tests.bdd.steps.parseurs import PARIS, duree, espaces, euros, jour, lignes, p
from tests.support.planning import declare_done

STATUTS = {"brouillon": InvoiceStatus.DRAFT, "validée": InvoiceStatus.VALIDATED, "payée": InvoiceStatus.PAID,
           "en échec de paiement": InvoiceStatus.PAYMENT_FAILED,
           "en attente d'authentification": InvoiceStatus.NEEDS_AUTHENTICATION}
DOCUMENT_LINK = re.compile(r"https?://\S+/documents/[\w.-]+")
PAYMENT_LINK = re.compile(r"https?://\S+/pay/[\w.-]+")


def texte_de(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def lien(pattern: re.Pattern[str], message: EmailMessage) -> str:
    found = pattern.findall(texte_de(message))
    assert found, f"pas de lien {pattern.pattern} dans l'email « {message['Subject']} »"
    return found[0]


def telecharge(http: httpx.Client, url: str, numero: str) -> None:
    """The link answers 200 with the document itself, as an attachment named after its number."""
    response = http.get(url)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    disposition = response.headers.get("content-disposition", "")
    assert disposition.startswith("attachment") and numero in disposition, disposition
    if response.headers["content-type"].startswith("application/pdf"):
        assert response.content.startswith(b"%PDF-") and len(response.content) > 1000
    else:
        assert numero in response.text


# ---------------------------------------------------------------- generating and validating
def retenir(monde: Monde, invoice: Invoice) -> Invoice:
    if invoice.number:
        monde.valeurs["numéro"] = invoice.number
    return invoice


@when("je génère la facture depuis le devis de la commande", target_fixture="facture")
def depuis_le_devis(monde: Monde, commande: dict) -> Invoice | None:
    devis_id = commande["ogust_body"]["devis_id"]
    return monde.tenter(lambda: monde.container.invoice_from_devis()(c.InvoiceFromDevis(monde.entreprise, devis_id)))


@when(p("je fais à la main une facture pour {nom} :"), target_fixture="facture")
def a_la_main(monde: Monde, nom: str, datatable: list[list[str]]) -> Invoice | None:
    """| tarif | quantité | intervenant |, the quantity as a duration (« 1 h 30 »), performed today."""
    lines = tuple(c.ManualInvoiceLine(line["tarif"], duree(line["quantité"]), datetime.now(PARIS).date(),
                                      monde.intervenant(line["intervenant"]) if line.get("intervenant") else None)
                  for line in lignes(datatable))
    return monde.tenter(lambda: monde.container.manual_invoice()(
        c.ManualInvoice(monde.entreprise, monde.client(nom), lines)))


@then(p("{nom} n'a aucune facture"))
def aucune_facture(monde: Monde, nom: str) -> None:
    assert [i for i in monde.container.queries().invoices(monde.entreprise) if i.client_id == monde.client(nom)] == []


def _intervention(monde: Monde, intervenant: str, nom: str, day: date) -> str:
    found = [i for i in monde.container.queries().planning(
        monde.entreprise, monde.intervenant(intervenant), datetime.now(PARIS), datetime.now(PARIS).replace(year=2100))
        if i.client_id == monde.client(nom) and i.start.astimezone(PARIS).date() == day]
    assert len(found) == 1, found
    return found[0].id


@given(p("l'intervention de {intervenant} chez {nom} {day:Jour} est réalisée"))
def realisee(monde: Monde, intervenant: str, nom: str, day: date) -> None:
    declare_done(monde.container, monde.entreprise, _intervention(monde, intervenant, nom, day))  # at the visit's end


@when(p("je déclare aujourd'hui réalisée l'intervention de {intervenant} chez {nom} {day:Jour}"))
def declarer_aujourdhui(monde: Monde, intervenant: str, nom: str, day: date) -> None:
    intervention_id = _intervention(monde, intervenant, nom, day)
    monde.tenter(lambda: monde.container.mark_done()(c.MarkInterventionDone(monde.entreprise, intervention_id)))


@when(p("je génère la facture du contrat de {nom} d'{debut:Jour} à {fin:Jour}"), target_fixture="facture")
def du_contrat(monde: Monde, nom: str, debut: date, fin: date) -> Invoice:
    return monde.container.contract_invoice()(c.ContractInvoice(monde.entreprise, monde.client(nom), debut, fin))


@then("la facture reprend les interventions :")
def reprend(monde: Monde, facture: Invoice, datatable: list[list[str]]) -> None:
    """| date | intervenant | quantité | total TTC |"""
    expected = [(jour(line["date"]), line["intervenant"], line["quantité"], espaces(line["total TTC"]))
                for line in lignes(datatable)]
    assert [(line.performed_on, line.intervenant_name, line.quantity.label_fr(), euros(line.amount_ttc.cents))
            for line in facture.lines] == expected


@when("je valide la facture", target_fixture="facture")
def valide(monde: Monde, facture: Invoice) -> Invoice:
    return retenir(monde, monde.container.validate_invoice()(c.ValidateInvoice(monde.entreprise, facture.id)))


@given("la facture du devis de la commande a été validée", target_fixture="facture")
def devis_facture_et_valide(monde: Monde, commande: dict) -> Invoice:
    """The order's interventions took place and were declared done (only work done is invoiced), then
    the devis was invoiced and the invoice validated."""
    for intervention_id in commande["ogust_body"]["intervention_ids"]:
        declare_done(monde.container, monde.entreprise, intervention_id)  # at the visit's end
    devis_id = commande["ogust_body"]["devis_id"]
    invoice = monde.container.invoice_from_devis()(c.InvoiceFromDevis(monde.entreprise, devis_id))
    return valide(monde, invoice)


@when("je valide de nouveau la facture")
def valide_encore(monde: Monde, facture: Invoice) -> None:
    monde.tenter(lambda: monde.container.validate_invoice()(c.ValidateInvoice(monde.entreprise, facture.id)))


@when("le débit et l'email de la facture sont exécutés une seconde fois, comme après une panne du worker")
def en_double(monde: Monde, facture: Invoice) -> None:
    """At-least-once delivery: a worker that dies after the effect, before recording it, leaves the
    job to be performed again. Each effect must then do nothing the second time."""
    effects = monde.container.effects()
    again = [job for job in monde.container.queries().outbox(monde.entreprise)
             if job.effect in (Effect.CHARGE_INVOICE.value, Effect.MAIL_DEBIT_CONFIRMED.value)
             and job.payload.get("invoice_id") == facture.id]
    assert sorted(job.effect for job in again) == sorted([Effect.CHARGE_INVOICE.value,
                                                          Effect.MAIL_DEBIT_CONFIRMED.value])
    for job in again:
        effects[job.effect](job)


# ---------------------------------------------------------------- the invoice, the shop, the card
@then(p("la facture est « {statut} », pour {total:Montant} TTC"))
def statut(monde: Monde, facture: Invoice, statut: str, total: int) -> None:
    current = monde.container.queries().invoice(monde.entreprise, facture.id).invoice
    assert (current.status, current.total_ttc.cents) == (STATUTS[statut], total), current.payment_failure


@then(p("la facture est publiée dans le compte boutique de {nom}, « {statut} », pour {total:Montant}"))
def publiee(monde: Monde, facture: Invoice, nom: str, statut: str, total: int) -> None:
    shop_client_id = monde.container.queries().client(monde.entreprise, monde.client(nom)).shop_client_id
    documents = monde.boutique()["documents"].get(shop_client_id, [])
    assert [(d["kind"], d["id"], d["number"], d["status"], d["amount_ttc_cents"]) for d in documents] == [
        ("invoice", facture.id, monde.valeurs["numéro"], STATUTS[statut].value, total)]


def paiements(monde: Monde, nom: str) -> list[dict]:
    customer = monde.container.queries().client(monde.entreprise, monde.client(nom)).stripe_customer_id
    assert customer, f"{nom} n'a pas de carte enregistrée"
    return monde.stripe.list_payment_intents(customer)


@then(p("la carte de {nom} est débitée une seule fois, de {total:Montant}"))
def debitee_une_fois(monde: Monde, nom: str, total: int) -> None:
    succeeded = [(pi["amount"], pi["currency"]) for pi in paiements(monde, nom) if pi["status"] == "succeeded"]
    assert succeeded == [(total, "eur")]


@when(p("j'émets un avoir de {montant:Montant} sur la facture, motif « {motif} »"), target_fixture="avoir")
def avoir(monde: Monde, facture: Invoice, montant: int, motif: str) -> CreditNote:
    note = monde.container.issue_credit_note()(c.IssueCreditNote(monde.entreprise, facture.id, motif,
                                                                 Money(montant)))
    monde.valeurs["avoir"] = note.number
    return note


@then(p("la carte de {nom} est remboursée une seule fois, de {total:Montant}"))
def remboursee_une_fois(monde: Monde, nom: str, total: int) -> None:
    [paid] = [pi for pi in paiements(monde, nom) if pi["status"] == "succeeded"]
    refunds = monde.stripe.list_refunds(paid["id"])
    assert [(r["amount"], r["status"]) for r in refunds] == [(total, "succeeded")]


@then(p("aucun remboursement n'est fait sur la carte de {nom}"))
def aucun_remboursement(monde: Monde, nom: str) -> None:
    paid = [pi for pi in paiements(monde, nom) if pi["status"] == "succeeded"]
    assert paid and all(monde.stripe.list_refunds(pi["id"]) == [] for pi in paid)


@given(p("{nom} confirme le paiement auprès de sa banque"))
def confirme_3ds(monde: Monde, nom: str) -> None:
    """The client follows the email's link and completes 3-D Secure (its webhook not received yet)."""
    [waiting] = [pi for pi in paiements(monde, nom) if pi["status"] == "requires_action"]
    monde.stripe.authenticate(waiting["id"])


@when("j'annule le débit en attente de la facture")
def annule_debit(monde: Monde, facture: Invoice) -> None:
    """As « ogust invoice cancel-debit » does."""
    monde.tenter(lambda: monde.container.cancel_debit()(c.CancelDebit(monde.entreprise, facture.id)))


@then(p("le paiement de {nom} est annulé chez Stripe"))
def annule_chez_stripe(monde: Monde, nom: str) -> None:
    assert [pi["status"] for pi in paiements(monde, nom)] == ["canceled"]


@then(p("aucun débit n'a abouti sur la carte de {nom}"))
def aucun_debit(monde: Monde, nom: str) -> None:
    intents = paiements(monde, nom)
    assert intents, "aucune tentative de débit n'a été faite"
    assert [pi for pi in intents if pi["status"] == "succeeded"] == []


# ---------------------------------------------------------------- payments recorded by the company
MODES = {"chèque": PaymentMethod.CHEQUE, "virement": PaymentMethod.TRANSFER, "CESU": PaymentMethod.CESU,
         "espèces": PaymentMethod.CASH}


@when(p("j'enregistre un règlement par {mode} de {montant:Montant}, n° « {reference} », reçu {day:Jour}"))
@when(p("j'enregistre un règlement par {mode} de {montant:Montant}, reçu {day:Jour}"))
def reglement(monde: Monde, facture: Invoice, mode: str, montant: int, day: date, reference: str = "") -> None:
    """As « ogust invoice pay » does: the cheque's amount, its number, the day it came in."""
    monde.tenter(lambda: monde.container.record_payment()(c.RecordPayment(
        monde.entreprise, facture.id, MODES[mode], day, reference, Money(montant))))


@then(p("la facture montre le règlement par {mode} de {montant:Montant}, n° « {reference} », reçu {day:Jour}"))
def reglement_montre(monde: Monde, facture: Invoice, mode: str, montant: int, reference: str, day: date) -> None:
    view = monde.container.queries().invoice(monde.entreprise, facture.id)
    assert [(p.method, p.amount.cents, p.reference, p.received_at.astimezone(PARIS).date())
            for p in view.payments] == [(MODES[mode], montant, reference, day)]


@when(p("j'enregistre le remboursement de l'avoir par {mode}, n° « {reference} », fait {day:Jour}"))
def remboursement(monde: Monde, avoir: CreditNote, mode: str, reference: str, day: date) -> None:
    """As « ogust credit-note refund » does: the company gave the credit note's amount back itself."""
    monde.tenter(lambda: monde.container.record_refund()(c.RecordRefund(
        monde.entreprise, avoir.id, MODES[mode], day, reference)))


@then(p("l'avoir est remboursé de {montant:Montant} par {mode}, n° « {reference} », fait {day:Jour}"))
def avoir_rembourse(monde: Monde, avoir: CreditNote, montant: int, mode: str, reference: str, day: date) -> None:
    note = monde.container.document_queries().credit_note(monde.entreprise, avoir.id)
    assert (note.refund_status.value, note.refund_amount.cents, note.refund_method, note.refund_id,
            note.refunded_at.astimezone(PARIS).date()) == ("succeeded", montant, MODES[mode], reference, day)


@then(p("l'avoir est publié dans le compte boutique de {nom}, « remboursé », pour {total:Montant}"))
def avoir_publie(monde: Monde, avoir: CreditNote, nom: str, total: int) -> None:
    shop_client_id = monde.container.queries().client(monde.entreprise, monde.client(nom)).shop_client_id
    documents = monde.boutique()["documents"].get(shop_client_id, [])
    # the shop's contract carries a credit note as a document of negative amount
    assert [(d["status"], d["amount_ttc_cents"]) for d in documents if d["number"] == avoir.number] == [
        ("refunded", -total)], documents


@then(p("{nom} n'a reçu aucun email"))
def aucun_email(monde: Monde, nom: str) -> None:
    assert [str(m["Subject"]) for m in monde.emails_de(nom)] == []


# ---------------------------------------------------------------- the email and its links
@then(p("{nom} reçoit un seul email : « {objet} »"), target_fixture="email")
def un_seul_email(monde: Monde, nom: str, objet: str) -> EmailMessage:
    messages = monde.emails_de(nom)
    assert [espaces(str(m["Subject"])) for m in messages] == [espaces(monde.texte(objet))]
    return messages[0]


@then(p("{nom} reçoit aussi l'email : « {objet} »"), target_fixture="email")
def aussi_un_email(monde: Monde, nom: str, objet: str) -> EmailMessage:
    subject = espaces(monde.texte(objet))
    messages = [m for m in monde.emails_de(nom) if espaces(str(m["Subject"])) == subject]
    assert len(messages) == 1, [str(m["Subject"]) for m in monde.emails_de(nom)]
    return messages[0]


@then(p("l'email dit « {extrait} »"))
def email_dit(monde: Monde, email: EmailMessage, extrait: str) -> None:
    assert espaces(monde.texte(extrait)) in espaces(texte_de(email)), texte_de(email)


@then(p("le lien de l'email télécharge la facture {numero}"))
@then(p("le lien de l'email télécharge l'attestation {numero}"))
@then(p("le lien de l'email télécharge l'avoir {numero}"))
def lien_telecharge(monde: Monde, email: EmailMessage, numero: str) -> None:
    telecharge(monde.admin.http, lien(DOCUMENT_LINK, email), monde.texte(numero))


@then(p("le lien de paiement de l'email ouvre la page de paiement de la facture {numero}"))
def lien_paiement(monde: Monde, email: EmailMessage, numero: str) -> None:
    response = monde.admin.http.get(lien(PAYMENT_LINK, email))
    assert response.status_code == 200, response.text[:300]
    assert monde.texte(numero) in response.text


@then(p("la page « Mon compte » de {nom} sur la boutique propose de télécharger la facture {numero}"))
@then(p("la page « Mon compte » de {nom} sur la boutique propose de télécharger l'attestation {numero}"))
@then(p("la page « Mon compte » de {nom} sur la boutique propose de télécharger l'avoir {numero}"))
def mon_compte(monde: Monde, nom: str, numero: str) -> None:
    shop_client_id = monde.container.queries().client(monde.entreprise, monde.client(nom)).shop_client_id
    page = monde.admin.client_page(monde.shop_account, shop_client_id)
    number = monde.texte(numero)
    row = next((r for r in page.split("<tr>") if f"<td>{number}</td>" in r), None)
    assert row is not None, f"{number} absent de la page « Mon compte »"
    telecharge(monde.admin.http, html.unescape(re.search(r'href="([^"]+)"', row).group(1)), number)
