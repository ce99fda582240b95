"""Path references as an operator types them: ``{ref}`` in a path is an id, or what the CLI takes — an
invoice, avoir or attestation number (FA-…, AV-…), a matricule, an email — resolved by the application's
one resolver (application/references.py) into the id the handlers take. Another company's record, or
none, is a 404 whatever the reference."""
from typing import Annotated

from fastapi import Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from ogust.entrypoints.api.deps import company_id


def _resolved(kind: str, description: str):
    async def resolve(request: Request, company: str = Depends(company_id),
                      ref: str = Path(description=description, max_length=320)) -> str:
        references = request.app.state.container.references()
        return await run_in_threadpool(getattr(references, kind), company, ref)
    return Depends(resolve)


InvoiceId = Annotated[str, _resolved("invoice", "la facture : son numéro (FA-2026-000001) ou son id")]
CreditNoteId = Annotated[str, _resolved("credit_note", "l'avoir : son numéro (AV-2026-000001) ou son id")]
AttestationId = Annotated[str, _resolved("attestation", "l'attestation : son numéro ou son id")]
ClientId = Annotated[str, _resolved("client", "le client : son email ou son id")]
IntervenantId = Annotated[str, _resolved("intervenant", "l'intervenant : son matricule (M001) ou son id")]
DevisId = Annotated[str, _resolved("devis", "le devis : son id")]
