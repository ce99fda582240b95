"""Response bodies: what the API answers on success, as the OpenAPI schema declares it.

The routes build plain dicts with ``entrypoints/serializers.py`` (shared with the CLI's ``--json``);
these models describe those dicts field for field and FastAPI checks each answer against them.
Every field is always present: a value that may be missing is declared nullable, never left out.
Dates and times are the ISO 8601 strings the serializers write, kept as they are; money is an
object in integer cents."""
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ogust.application.outbox import JobStatus
from ogust.domain.attestation import AttestationStatus
from ogust.domain.client import ClientOrigin
from ogust.domain.credit_note import RefundStatus
from ogust.domain.devis import AcceptanceChannel, DevisStatus
from ogust.domain.intervention import InterventionStatus
from ogust.domain.invoice import InvoiceSource, InvoiceStatus
from ogust.domain.payment import AttemptStatus
from ogust.domain.shop_sync import SyncStatus
from ogust.domain.tarif import InterventionMode
from ogust.domain.units import Unit

IsoDate = Annotated[str, Field(json_schema_extra={"format": "date"}, examples=["2026-03-31"])]
IsoDateTime = Annotated[str, Field(json_schema_extra={"format": "date-time"},
                                   examples=["2026-03-02T09:00:00+01:00"])]
VatPercent = Annotated[str, Field(description="taux de TVA en pour cent (5.5, 10 ou 20)", examples=["10"])]
Id = Annotated[str, Field(description="identifiant (UUID)")]


class Money(BaseModel):
    """Un montant : en centimes entiers, jamais en nombre à virgule."""

    cents: int = Field(description="centimes", examples=[2750])
    currency: str = Field(description="code ISO 4217", examples=["EUR"])
    display: str = Field(description="le montant écrit à la française", examples=["27,50\u00a0€"])


class Address(BaseModel):
    street: str
    postal_code: str
    city: str
    country: str = Field(examples=["FR"])


class Company(BaseModel):
    id: Id
    name: str
    address: Address
    siret: str
    email: str = Field(description="vide si non renseigné")
    sap_declaration_number: str = Field(description="numéro de déclaration de services à la personne")
    sap_declaration_date: IsoDate | None
    timezone: str = Field(examples=["Europe/Paris"])
    shop_account_id: str | None = Field(description="le compte boutique lié, s'il y en a un")
    shop_linked: bool


class CreatedCompany(Company):
    api_key: str = Field(description="clé `operator` de l'entreprise, montrée cette seule fois")


class Tarif(BaseModel):
    id: Id
    code: str
    label: str
    unit: Unit = Field(description="hour : prix à l'heure, quantités en minutes ; flat : au forfait "
                                   "(à l'entrée, heure et forfait sont acceptés)")
    unit_label: str = Field(description="l'unité en français : heure ou forfait")
    price_ht: Money
    price_ttc: Money
    vat_rate: VatPercent
    tax_credit_eligible: bool = Field(description="ouvre droit au crédit d'impôt services à la personne")
    mode: InterventionMode


class ShopLink(BaseModel):
    shop_account_id: str
    webhook_secret: str = Field(description="le secret de signature des commandes, montré cette seule fois")


class ShopService(BaseModel):
    id: str
    label: str
    price_ttc: Money
    vat_rate: VatPercent
    unit: Unit
    unit_label: str = Field(description="l'unité en français : heure ou forfait")
    mapped_to: str | None = Field(description="le code du tarif associé, s'il y en a un")


class ShopServiceMapping(BaseModel):
    id: Id
    shop_service_id: str
    shop_label: str
    tarif_id: Id
    tarif_code: str


class ShopSync(BaseModel):
    """Où en est la fiche avec la boutique."""

    status: SyncStatus
    synced_at: IsoDateTime | None = Field(description="dernier envoi réussi")
    failure: str | None = Field(description="la raison du dernier échec")


class Profile(BaseModel):
    presentation: str
    services: list[str]
    zones: list[str] = Field(description="codes postaux")
    skills: list[str]


class Intervenant(BaseModel):
    id: Id
    first_name: str
    last_name: str
    matricule: str
    email: str = Field(description="vide si non renseigné")
    phone: str = Field(description="vide si non renseigné")
    active: bool
    profile: Profile
    shop_sync: ShopSync


class Client(BaseModel):
    id: Id
    first_name: str
    last_name: str
    email: str
    phone: str = Field(description="vide si non renseigné")
    address: Address
    origin: ClientOrigin = Field(description="créé au back office ou par une commande de la boutique")
    shop_client_id: str | None
    has_saved_card: bool = Field(description="une carte est enregistrée chez Stripe (jamais ses données)")
    shop_sync: ShopSync


class SyncReport(BaseModel):
    """Le résultat de l'envoi d'une fiche à la boutique."""

    kind: str = Field(examples=["client", "intervenant"])
    id: Id
    label: str
    outcome: str = Field(description="sent, unchanged, failed ou queued")
    reason: str | None


class ExportReport(BaseModel):
    summary: dict[str, int] = Field(description="nombre de fiches par résultat (sent, unchanged, failed…)")
    records: list[SyncReport]


class DevisLine(BaseModel):
    id: Id
    tarif_id: Id
    label: str
    unit: Unit
    unit_label: str = Field(description="l'unité en français : heure ou forfait")
    quantity: int = Field(description="minutes (tarif horaire) ou nombre (forfait)")
    quantity_label: str = Field(examples=["1 h 30"])
    unit_price_ht: Money
    vat_rate: VatPercent
    amount_ht: Money
    amount_vat: Money = Field(description="TVA de la ligne, arrondie au centime")
    amount_ttc: Money


class InvoiceLine(DevisLine):
    intervention_id: Id | None = Field(description="l'intervention facturée, s'il y en a une")
    intervenant_matricule: str | None
    intervenant_name: str | None
    performed_on: IsoDate | None


class Intervention(BaseModel):
    id: Id
    client_id: Id
    intervenant_id: Id
    tarif_id: Id
    devis_id: Id | None
    start: IsoDateTime
    end: IsoDateTime
    minutes: int
    address: Address
    status: InterventionStatus
    invoice_id: Id | None = Field(description="la facture qui l'a comptée, une fois facturée")


class InterventionToDeclare(Intervention):
    intervenant_name: str
    client_name: str


class InterventionsToDeclare(BaseModel):
    total: int = Field(description="combien en tout ; la liste en donne au plus 500, par date")
    interventions: list[InterventionToDeclare]


class Devis(BaseModel):
    id: Id
    client_id: Id
    status: DevisStatus
    created_at: IsoDateTime | None
    accepted_at: IsoDateTime | None
    acceptance_channel: AcceptanceChannel | None
    shop_order_id: str | None = Field(description="la commande de la boutique, pour un devis accepté en ligne")
    lines: list[DevisLine]
    total_ht: Money = Field(description="somme des lignes")
    total_vat: Money = Field(description="somme des lignes")
    total_ttc: Money = Field(description="somme des lignes")


class DevisWithInterventions(Devis):
    interventions: list[Intervention]


class PaymentAttempt(BaseModel):
    """Un débit de la carte enregistrée (un PaymentIntent Stripe)."""

    number: int
    status: AttemptStatus
    amount: Money
    payment_intent_id: str | None
    failure: str | None
    updated_at: IsoDateTime | None


class Payment(BaseModel):
    """Un règlement reçu pour la facture : le débit de la carte, ou un chèque, un virement, des CESU, des
    espèces enregistrés par l'entreprise. C'est ce que compte l'attestation fiscale (hors espèces)."""

    id: Id
    method: Literal["carte", "cheque", "virement", "cesu", "especes", "apa-pch"] = Field(
        description="carte : débit de la carte ; cheque : chèque ; virement ; cesu : chèques emploi service "
                    "universels ; especes : espèces ; apa-pch : APA ou PCH versée par le département")
    method_label: str = Field(description="le mode en toutes lettres (« virement », « espèces »…)")
    amount: Money
    received_at: IsoDateTime = Field(description="réception (un règlement enregistré : le jour dit, à midi, heure "
                                                 "de l'entreprise)")
    reference: str | None = Field(description="n° de chèque, référence du virement, n° CESU ; pour une carte, "
                                              "le PaymentIntent Stripe")


class Invoice(BaseModel):
    id: Id
    number: str | None = Field(description="attribué à la validation (FA-AAAA-NNNNNN) ; null en brouillon")
    client_id: Id
    source: InvoiceSource
    status: InvoiceStatus
    devis_id: Id | None
    issued_on: IsoDate | None
    period_start: IsoDate | None
    period_end: IsoDate | None
    paid_at: IsoDateTime | None
    payment_reference: str | None
    payment_failure: str | None
    lines: list[InvoiceLine]
    total_ht: Money = Field(description="somme des lignes")
    total_vat: Money = Field(description="somme des lignes")
    total_ttc: Money = Field(description="somme des lignes")
    credited_ttc: Money = Field(description="somme de ses avoirs, TTC")
    left_to_pay: Money = Field(description="reste à payer : la facture moins ses avoirs ; zéro une fois payée, "
                                           "soldée par avoir, ou en brouillon")


class InvoiceWithPayments(Invoice):
    payment_attempts: list[PaymentAttempt] = Field(description="les débits tentés, du premier au dernier")
    payments: list[Payment] = Field(description="les règlements reçus, par date de réception")
    abandoned_debit_job_id: Id | None = Field(
        description="un débit abandonné après ses essais (issue inconnue) : POST /api/outbox/{id}/retry le relance")


class AttestationLine(BaseModel):
    intervenant_matricule: str
    intervenant_name: str
    year: int
    month: int
    minutes: int
    interventions: int = Field(description="nombre d'interventions")


class Attestation(BaseModel):
    id: Id
    number: str | None = Field(description="attribué à la validation ; null en brouillon")
    client_id: Id
    year: int
    status: AttestationStatus
    amount_paid: Money = Field(description="payé dans l'année pour des services ouvrant droit au crédit d'impôt "
                                           "(hors espèces et CESU préfinancés)")
    cesu_paid: Money = Field(description="payé dans l'année en CESU préfinancés pour ces services, à part : seule "
                                         "la part financée par le client lui-même ouvre droit au crédit d'impôt")
    refunds_deducted: Money = Field(description="remboursements reçus dans l'année sur des paiements des années "
                                                "précédentes, déjà déduits de amount_paid")
    revision: int = Field(description="1, puis 2, 3… pour une attestation rectificative")
    replaces_number: str | None = Field(description="le numéro de l'attestation qu'elle annule et remplace "
                                                    "(attestation rectificative)")
    total_minutes: int
    validated_at: IsoDateTime | None
    lines: list[AttestationLine]


class AttestationOutcome(BaseModel):
    client_id: Id
    attestation_id: Id | None = Field(description="null si rien n'a été généré pour ce client")
    error: str | None


class AttestationBatch(BaseModel):
    generated: int
    records: list[AttestationOutcome]


class CreditNoteLine(BaseModel):
    id: Id
    label: str
    vat_rate: VatPercent
    amount_ht: Money
    amount_vat: Money
    amount_ttc: Money


class Refund(BaseModel):
    """Le remboursement de l'avoir : sur la carte qui a payé la facture (fait par la file d'effets), ou
    fait par l'entreprise elle-même (chèque, virement, espèces) et enregistré."""

    status: RefundStatus = Field(description="none : aucun remboursement (pas de carte à rembourser, ou pas encore "
                                             "enregistré)")
    amount: Money
    method: Literal["carte", "cheque", "virement", "especes"] | None = Field(
        description="carte : sur la carte ; cheque, virement, especes : remboursement enregistré par l'entreprise")
    payment_intent_id: str | None
    refund_id: str | None
    failure: str | None
    refunded_at: IsoDateTime | None


class CreditNote(BaseModel):
    id: Id
    number: str = Field(examples=["AV-2026-000001"])
    client_id: Id
    invoice_id: Id
    invoice_number: str
    issued_on: IsoDate
    reason: str
    lines: list[CreditNoteLine]
    total_ht: Money
    total_vat: Money
    total_ttc: Money
    refund: Refund


class OutboxJob(BaseModel):
    """Un effet à faire (débit, publication, email…), au moins une fois, idempotent."""

    id: Id
    effect: str = Field(examples=["payment.charge_invoice"])
    key: str = Field(description="la clé métier qui rend l'effet idempotent")
    status: JobStatus
    attempts: int
    available_at: IsoDateTime
    last_error: str | None
    created_at: IsoDateTime
    done_at: IsoDateTime | None
    worker: str | None


class Outbox(BaseModel):
    counts: dict[str, int] = Field(description="nombre d'effets par statut")
    jobs: list[OutboxJob]


class EmailRecord(BaseModel):
    company_id: Id
    message_id: str
    kind: str
    to_email: str
    status: str = Field(examples=["sent"], description="sent, pending ou failed")
    status_label: str = Field(examples=["envoyé"], description="l'état en français : envoyé, en attente, en échec")
    subject: str = Field(examples=["Facture disponible"], description="l'objet de l'email, sans le numéro qu'il cite")
    at: IsoDateTime = Field(description="dernier changement")
    created_at: IsoDateTime
    error: str | None


class AuditEntry(BaseModel):
    id: int
    at: IsoDateTime
    actor: str = Field(description="clé d'API, CLI, worker ou webhook")
    entity_type: str
    entity_id: str
    action: str
    changes: dict[str, Any] = Field(description="`before` et `after` : les champs changés seulement")
    redacted_at: IsoDateTime | None = Field(description="quand les valeurs personnelles ont été effacées (RGPD)")


class OrderReceived(BaseModel):
    order_id: str = Field(description="l'id de la commande dans la boutique")
    client_id: Id
    devis_id: Id
    intervention_ids: list[Id]
    replayed: bool = Field(description="true : commande déjà reçue, rien n'a changé")


class WebhookReceived(BaseModel):
    received: bool
    outcome: str


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class MonthEndIssue(BaseModel):
    invoice_id: str
    number: str | None
    client_id: str
    reason: str


class MonthEndSkipped(BaseModel):
    kind: str = Field(description="client (pas facturé) ou invoice (pas validée ou pas débitée)")
    ref: str = Field(description="l'id du client, ou le numéro de la facture (son id si brouillon)")
    reason: str


class MonthEndReport(BaseModel):
    """The report of ``ogust invoice run --json``, amounts in cents."""

    month: str
    created: int
    validated: int
    paid: int
    failed: list[MonthEndIssue]
    needs_authentication: list[MonthEndIssue]
    skipped: list[MonthEndSkipped]
    interrupted: bool
    month_invoices: dict[str, int] = Field(description="les factures de contrat du mois par statut, à la fin")
    not_declared_done: int = Field(description="interventions du mois commencées mais jamais déclarées réalisées")
    seconds: dict[str, float]
    validated_ttc_cents: int
    debited_cents: int
    declined_cents: int
