"""Which effect performs which kind of outbox job."""
from __future__ import annotations

from ogust.application.effects.credit_notes import PublishCreditNoteEffect, RefundCreditNoteEffect
from ogust.application.effects.mail import SendEmailEffect
from ogust.application.effects.payments import ChargeInvoiceEffect, DetachPaymentMethodEffect
from ogust.application.effects.shop import (
    EraseClientInShopEffect,
    PublishAttestationEffect,
    PublishInvoiceEffect,
    SyncIntervenantEffect,
    TransmitClientEffect,
)
from ogust.application.handlers import UowFactory
from ogust.application.outbox import Effect
from ogust.application.ports import DocumentLinks, Mailer, PaymentGateway, ShopApi
from ogust.application.worker import EffectFn


def build_effects(uow: UowFactory, shop: ShopApi, gateway: PaymentGateway, mailer: Mailer,
                  links: DocumentLinks) -> dict[str, EffectFn]:
    send_email = SendEmailEffect(uow, mailer, links)
    return {
        Effect.SYNC_INTERVENANT.value: SyncIntervenantEffect(uow, shop),
        Effect.TRANSMIT_CLIENT.value: TransmitClientEffect(uow, shop),
        Effect.PUBLISH_INVOICE.value: PublishInvoiceEffect(uow, shop, links),
        Effect.PUBLISH_ATTESTATION.value: PublishAttestationEffect(uow, shop, links),
        Effect.CHARGE_INVOICE.value: ChargeInvoiceEffect(uow, gateway),
        Effect.PUBLISH_CREDIT_NOTE.value: PublishCreditNoteEffect(uow, shop, links),
        Effect.REFUND_CREDIT_NOTE.value: RefundCreditNoteEffect(uow, gateway),
        Effect.MAIL_DEBIT_CONFIRMED.value: send_email,
        Effect.MAIL_DEBIT_FAILED.value: send_email,
        Effect.MAIL_AUTHENTICATION_NEEDED.value: send_email,
        Effect.MAIL_ATTESTATION_AVAILABLE.value: send_email,
        Effect.MAIL_CREDIT_NOTE_AVAILABLE.value: send_email,
        Effect.MAIL_CREDIT_NOTE_REFUNDED.value: send_email,
        Effect.MAIL_INVOICE_AVAILABLE.value: send_email,
        Effect.DETACH_PAYMENT_METHOD.value: DetachPaymentMethodEffect(gateway),
        Effect.SHOP_ERASE_CLIENT.value: EraseClientInShopEffect(uow, shop),
    }
