"""The life of a payment request at URSSAF, by its status code.

    10 intégrée ──(integration delay)──▶ 20 en attente de validation par le client
    20 ──client validates, or 48 h pass──▶ 30 validée        20 ──client contests──▶ 40 refusée (infoRejet)
    30 ──debit──▶ 50 prélevée ──transfer──▶ 70 payée (infoVirement)
    30 / 50 ──client's debit bounces──▶ 60 en refus de prélèvement (client's account blocked)
    60 ──transfer──▶ 70 (URSSAF still pays the company the whole invoice)
    60 ──recovered──▶ 120 recouvrée
    10 / 20 / 30 ──cancelled──▶ 110 annulée;  60 ──▶ 111 annulée après impayé;  120 ──▶ 112 annulée après recouvrement

The timed steps (10 → 20, 20 → 30) happen at their due instant on the server's clock, whenever
the request is next looked at (``settle``). The other steps are played through the admin routes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

LABELS = {
    "10": "Intégrée",
    "20": "En attente de validation",
    "30": "Validée",
    "40": "Refusée",
    "50": "Prélevée",
    "60": "En refus de prélèvement",
    "70": "Payée",
    "110": "Annulée",
    "111": "Annulée après impayé",
    "112": "Annulée après recouvrement",
    "120": "Recouvrée",
}
VALIDATION_WINDOW = timedelta(hours=48)
CONTEST_REASONS = ("CONTEST_ERR_FACT", "CONTEST_FACT_REGLEE", "CONTEST_AUTRE")
CANCEL_REASONS = ("ANNUL_DBL", "ANNUL_ERR_MNT", "ANNUL_ERR_TECH", "ANNUL_AUTRE")


class TransitionRefused(Exception):
    """The request is not in a status this step starts from (the message says which, in French)."""


@dataclass(eq=False)
class Demande:
    id: str
    tiers: str  # the client id of the tiers de prestation that sent it
    id_client: str
    sent: dict  # the request as sent (amounts as Decimal)
    received_at: datetime
    integration_delay: timedelta
    status: str = "10"
    history: list[tuple[str, datetime]] = field(default_factory=list)
    info_rejet: dict[str, str] | None = None
    info_virement: dict[str, object] | None = None

    def __post_init__(self) -> None:
        if not self.history:
            self.history.append((self.status, self.received_at))

    @property
    def invoice_number(self) -> str:
        return self.sent["numFactureTiers"]

    @property
    def invoice_day(self) -> date:
        return datetime.fromisoformat(self.sent["dateFacture"]).date()

    def settle(self, now: datetime) -> None:
        """Apply the timed steps whose instant has come."""
        if self.status == "10" and now >= self.received_at + self.integration_delay:
            self._move("20", self.received_at + self.integration_delay)
        if self.status == "20" and now >= self._since("20") + VALIDATION_WINDOW:
            self._move("30", self._since("20") + VALIDATION_WINDOW)

    # ------------------------------------------------------------ played by the client
    def validate(self, now: datetime) -> None:
        self._expect(now, ("20",), "valider")
        self._move("30", now)

    def contest(self, now: datetime, code: str, comment: str) -> None:
        if code not in CONTEST_REASONS:
            raise TransitionRefused(f"Motif de contestation inconnu : {code} (attendu : {', '.join(CONTEST_REASONS)}).")
        self._expect(now, ("20",), "contester")
        self.info_rejet = {"code": code, "commentaire": comment}
        self._move("40", now)

    def bounce(self, now: datetime) -> None:
        self._expect(now, ("30", "50"), "rejeter le prélèvement de")
        self._move("60", now)

    # ------------------------------------------------------------ played by URSSAF's back office
    def debit(self, now: datetime) -> None:
        self._expect(now, ("30",), "prélever")
        self._move("50", now)

    def pay(self, now: datetime) -> None:
        self._expect(now, ("50", "60"), "virer")
        ttc = Decimal(self.sent["mntFactureTTC"])
        down_payment = Decimal(self.sent.get("mntAcompte") or 0)
        self.info_virement = {"mntVirement": ttc - down_payment, "dateVirement": _instant(now)}
        self._move("70", now)

    def recover(self, now: datetime) -> None:
        self._expect(now, ("60",), "recouvrer")
        self._move("120", now)

    def cancel(self, now: datetime, code: str, comment: str) -> None:
        if code not in CANCEL_REASONS:
            raise TransitionRefused(f"Motif d'annulation inconnu : {code} (attendu : {', '.join(CANCEL_REASONS)}).")
        self._expect(now, ("10", "20", "30", "60", "120"), "annuler")
        target = {"60": "111", "120": "112"}.get(self.status, "110")
        self.info_rejet = {"code": code, "commentaire": comment}
        self._move(target, now)

    # ------------------------------------------------------------ reading
    def as_info(self) -> dict[str, object]:
        """One entry of ``infoDemandePaiements`` (``rechercher``)."""
        info: dict[str, object] = {"idDemandePaiement": self.id, "demandePaiement": self.sent,
                                   "statut": {"code": self.status, "libelle": LABELS[self.status]}}
        if self.info_rejet is not None:
            info["infoRejet"] = self.info_rejet
        if self.info_virement is not None:
            info["infoVirement"] = self.info_virement
        return info

    def _expect(self, now: datetime, starts: tuple[str, ...], verb: str) -> None:
        self.settle(now)
        if self.status not in starts:
            raise TransitionRefused(
                f"Impossible de {verb} la demande {self.id} au statut {self.status} ({LABELS[self.status]}) : "
                f"statut attendu {' ou '.join(starts)}.")

    def _since(self, status: str) -> datetime:
        return next(at for code, at in reversed(self.history) if code == status)

    def _move(self, status: str, at: datetime) -> None:
        self.status = status
        self.history.append((status, at))


def _instant(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment.utcoffset() == timedelta(0) else moment.isoformat()
