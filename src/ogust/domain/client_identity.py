"""The client as an issued document names them: a snapshot taken when the document is issued.

An issued document is never edited (an invoice is corrected by a credit note) and is kept for its
legal retention, through a move of the client or a GDPR erasure of their record. So it keeps the
client's name, email and address — what the PDFs and the Factur-X XML print about the client — as
they were when it was issued, and shows them ever after: an invoice when it is validated (numbered),
a credit note when it is issued (it names the client as the invoice it corrects does), an
attestation fiscale when it is validated, a devis when it is sent (or accepted from a shop order).

A draft has no snapshot and shows the client record as it stands; so does a document issued before
the snapshot was kept (revision 0007 left those NULL): they render from the client, as they always did.
"""
from __future__ import annotations

from dataclasses import dataclass

from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.errors import InvalidTransition, InvalidValue


@dataclass(frozen=True)
class ClientIdentity:
    first_name: str
    last_name: str
    email: str
    address: Address

    @classmethod
    def of(cls, client: Client) -> ClientIdentity:
        return cls(client.first_name, client.last_name, client.email, client.address)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ShowsClient:
    """A document that shows its client (mixed into devis, invoices, credit notes, attestations)."""

    client_id: str
    client_identity: ClientIdentity | None

    def shown_client(self, client: Client) -> ClientIdentity:
        """Who the document shows: its snapshot once issued, else ``client`` (its record) as it stands."""
        if self.client_identity is not None:
            return self.client_identity
        return ClientIdentity.of(client)

    def _keep_client_identity(self, client: Client) -> None:
        if client.id != self.client_id:
            raise InvalidValue("Ce document est celui d'un autre client.", field="client_id")
        if client.is_erased:  # it would name nobody: "Client effacé", "Adresse effacée"
            raise InvalidTransition("Ce client a été effacé (RGPD) : aucun document ne peut plus lui être émis.",
                                    client_id=client.id)
        self.client_identity = ClientIdentity.of(client)
