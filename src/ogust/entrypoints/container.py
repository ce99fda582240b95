"""The one place that knows both the application and the adapters."""
from __future__ import annotations

from dependency_injector import containers, providers

from ogust.adapters.clock import SystemClock
from ogust.adapters.documents.links import SignedDocumentLinks
from ogust.adapters.mail.file_mailer import FileMailer
from ogust.adapters.mail.smtp_mailer import SmtpMailer
from ogust.adapters.payments.stripe_gateway import StripePaymentGateway
from ogust.adapters.persistence.access import SqlAlchemyAuditLog, SqlAlchemyIdempotencyStore
from ogust.adapters.persistence.database import make_engine, make_session_factory
from ogust.adapters.persistence.shop_accounts import CachedShopAccounts
from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.adapters.shop.http_shop_api import HttpShopApi
from ogust.adapters.shop.unconfigured import UnconfiguredShopApi
from ogust.application.access import ApiKeys, RotateShopSecret
from ogust.application.accounting import AccountingJournals
from ogust.application.documents import DocumentQueries
from ogust.application.effects.registry import build_effects
from ogust.application.gdpr import ClientDataExport, EraseClientHandler
from ogust.application.handlers import attestations, credit_notes, imports, invoicing, orders, people, planning, setup
from ogust.application.handlers import payments as payment_handlers
from ogust.application.handlers import shop_sync as sync_handlers
from ogust.application.month_end import MonthEndRun
from ogust.application.queries import OutboxAdmin, Queries
from ogust.application.references import References
from ogust.application.shop_export import ShopExport
from ogust.application.shop_sync_service import ShopSyncService
from ogust.application.worker import OutboxProcessor, WorkerSettings
from ogust.domain.errors import NotFound
from ogust.entrypoints.settings import Settings


def _mailer(settings: Settings):
    if settings.smtp_host:
        return SmtpMailer(settings.smtp_host, settings.smtp_port, settings.mail_sender,
                          username=settings.smtp_username, password=settings.smtp_password,
                          starttls=settings.smtp_starttls)
    return FileMailer(settings.mail_dir, settings.mail_sender)


def _document_renderer():
    """The PDF renderer, imported when first asked for: fpdf2, factur-x, pypdf and fontTools take
    ~0.7 s to import, which every CLI command and worker process would pay otherwise."""
    from ogust.adapters.documents.pdf_renderer import PdfDocumentRenderer

    return PdfDocumentRenderer()


def _shop(settings: Settings, queries: Queries):
    if not settings.shop_url:
        return UnconfiguredShopApi()

    def key_of(account_id: str) -> str | None:
        """The key the company linked this account with (each company its own)."""
        try:
            return queries.company_by_shop_account(account_id).shop_api_key
        except NotFound:
            return None

    return HttpShopApi(settings.shop_url, settings.shop_api_key, keys=key_of)


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    engine = providers.Singleton(lambda s: make_engine(s.database_url), settings)
    session_factory = providers.Singleton(make_session_factory, engine)
    clock = providers.Singleton(SystemClock)
    uow = providers.Factory(SqlAlchemyUnitOfWork, session_factory, clock)

    shop = providers.Singleton(_shop, settings, providers.Singleton(Queries, uow.provider))
    payments = providers.Singleton(
        lambda s: StripePaymentGateway(s.stripe_api_key, api_base=s.stripe_api_base), settings)
    mailer = providers.Singleton(_mailer, settings)
    links = providers.Singleton(lambda s: SignedDocumentLinks(s.base_url, s.secret_key), settings)
    documents = providers.Singleton(_document_renderer)
    document_queries = providers.Singleton(DocumentQueries, uow.provider)
    accounting = providers.Singleton(AccountingJournals, uow.provider)

    effects = providers.Singleton(build_effects, uow.provider, shop, payments, mailer, links)
    worker_settings = providers.Singleton(lambda s: WorkerSettings(lease_seconds=s.worker_lease_seconds), settings)
    processor = providers.Factory(OutboxProcessor, uow.provider, effects, worker_settings)
    month_end = providers.Factory(MonthEndRun, uow.provider, payments, worker_settings)

    queries = providers.Singleton(Queries, uow.provider)
    references = providers.Singleton(References, uow.provider)
    outbox_admin = providers.Singleton(OutboxAdmin, uow.provider)

    create_company = providers.Singleton(setup.CreateCompanyHandler, uow.provider)
    create_tarif = providers.Singleton(setup.CreateTarifHandler, uow.provider)
    link_shop = providers.Singleton(setup.LinkShopAccountHandler, uow.provider, shop)
    map_service = providers.Singleton(setup.MapShopServiceHandler, uow.provider, shop)

    create_intervenant = providers.Singleton(people.CreateIntervenantHandler, uow.provider)
    update_intervenant = providers.Singleton(people.UpdateIntervenantHandler, uow.provider)
    create_client = providers.Singleton(people.CreateClientHandler, uow.provider)
    update_client = providers.Singleton(people.UpdateClientHandler, uow.provider)

    shop_sync = providers.Factory(
        ShopSyncService,
        providers.Singleton(sync_handlers.SyncIntervenantHandler, uow.provider),
        providers.Singleton(sync_handlers.TransmitClientHandler, uow.provider),
        providers.Singleton(sync_handlers.ExportToShopHandler, uow.provider),
        processor,
        providers.Singleton(ShopExport, uow.provider, shop),
    )

    shop_accounts = providers.Singleton(CachedShopAccounts, session_factory)  # signed orders: company and secrets
    place_order = providers.Singleton(orders.PlaceOrderHandler, uow.provider, payments)
    plan_intervention = providers.Singleton(planning.PlanInterventionHandler, uow.provider)
    mark_done = providers.Singleton(planning.MarkInterventionDoneHandler, uow.provider)
    cancel_intervention = providers.Singleton(planning.CancelInterventionHandler, uow.provider)

    invoice_from_devis = providers.Singleton(invoicing.InvoiceFromDevisHandler, uow.provider)
    manual_invoice = providers.Singleton(invoicing.ManualInvoiceHandler, uow.provider)
    contract_invoice = providers.Singleton(invoicing.ContractInvoiceHandler, uow.provider)
    validate_invoice = providers.Singleton(invoicing.ValidateInvoiceHandler, uow.provider)
    discard_draft_invoice = providers.Singleton(invoicing.DiscardDraftInvoiceHandler, uow.provider)
    retry_payment = providers.Singleton(invoicing.RetryPaymentHandler, uow.provider)
    record_payment = providers.Singleton(invoicing.RecordPaymentHandler, uow.provider)
    record_payment_event = providers.Singleton(payment_handlers.RecordPaymentEventHandler, uow.provider)
    cancel_debit = providers.Singleton(payment_handlers.CancelDebitHandler, uow.provider, payments)

    generate_attestation = providers.Singleton(attestations.GenerateAttestationHandler, uow.provider)
    generate_attestations = providers.Singleton(attestations.GenerateAttestationsHandler, uow.provider)
    validate_attestation = providers.Singleton(attestations.ValidateAttestationHandler, uow.provider)

    issue_credit_note = providers.Singleton(credit_notes.IssueCreditNoteHandler, uow.provider)
    record_refund = providers.Singleton(credit_notes.RecordRefundHandler, uow.provider)

    import_history = providers.Singleton(imports.ImportHistoryHandler, uow.provider)  # issue 18

    export_client_data = providers.Singleton(ClientDataExport, uow.provider, documents)
    erase_client = providers.Singleton(EraseClientHandler, uow.provider)

    # access (issue 5): API keys, shop secret rotation, audit log, Idempotency-Key answers
    api_keys = providers.Singleton(ApiKeys, uow.provider)
    rotate_shop_secret = providers.Singleton(RotateShopSecret, uow.provider)
    audit_log = providers.Singleton(SqlAlchemyAuditLog, session_factory)
    idempotency = providers.Singleton(SqlAlchemyIdempotencyStore, session_factory, clock.provided.now)


def build_container(settings: Settings | None = None) -> Container:
    return Container(settings=settings or Settings.from_env())
