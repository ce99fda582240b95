"""A worker (intervenant) and the profile the shop shows of them, skills included."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime

from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.errors import InvalidTransition, InvalidValue, ServiceNotOffered
from ogust.domain.events import IntervenantSyncRequested
from ogust.domain.shop_sync import ShopSynced, SyncStatus
from ogust.domain.validation import (
    PERSON_NAME_MAX,
    PRESENTATION_MAX,
    SERVICE_ID_MAX,
    SKILL_MAX,
    check_postal_code,
    check_text,
    normalise_email,
    normalise_phone,
)


@dataclass(frozen=True)
class ShopProfile:
    presentation: str = ""
    services: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()

    def patched(self, changes: Mapping[str, object]) -> ShopProfile:
        """This profile with ``changes`` only (a JSON Merge Patch's members): a field left out is kept,
        None clears it (no presentation, an empty list), a list given replaces that list only."""
        names = {f.name: f.default for f in fields(self)}
        unknown = set(changes) - set(names)
        if unknown:
            raise InvalidValue(f"Champs du profil inconnus : {', '.join(sorted(unknown))}", field="profile")
        return replace(self, **{name: names[name] if value is None else (value if name == "presentation"
                                                                          else tuple(value))  # type: ignore[arg-type]
                                for name, value in changes.items()})

    def check(self) -> None:
        """Zones are French postal codes; a presentation and lists of a sane size."""
        check_text(self.presentation, "profile.presentation", "Présentation", PRESENTATION_MAX, required=False)
        for name, values, limit in (("services", self.services, 50), ("zones", self.zones, 200),
                                    ("skills", self.skills, 50)):
            if len(values) > limit:
                raise InvalidValue(f"Au plus {limit} éléments dans {name}.", field=f"profile.{name}")
        for zone in self.zones:
            check_postal_code(zone, "profile.zones")
        for value in self.services:
            check_text(value, "profile.services", "Service", SERVICE_ID_MAX)
        for value in self.skills:
            check_text(value, "profile.skills", "Compétence", SKILL_MAX)


@dataclass(eq=False)
class Intervenant(Aggregate, ShopSynced):
    company_id: str
    first_name: str
    last_name: str
    matricule: str
    email: str = ""
    phone: str = ""
    profile: ShopProfile = field(default_factory=ShopProfile)
    active: bool = True
    synced_fingerprint: str | None = None
    synced_at: datetime | None = None
    sync_failure: str | None = None
    failed_fingerprint: str | None = None
    id: str = field(default_factory=new_id)
    version: int = 1

    def __post_init__(self) -> None:
        if not (isinstance(self.matricule, str) and self.matricule.strip()):
            raise InvalidValue("Le matricule de l'intervenant est obligatoire.", field="matricule")
        if not (isinstance(self.first_name, str) and isinstance(self.last_name, str)
                and self.first_name.strip() and self.last_name.strip()):
            raise InvalidValue("Le nom et le prénom de l'intervenant sont obligatoires.", field="name")
        self.matricule = check_text(self.matricule, "matricule", "Matricule", 30)
        self.first_name = check_text(self.first_name, "first_name", "Prénom", PERSON_NAME_MAX)
        self.last_name = check_text(self.last_name, "last_name", "Nom", PERSON_NAME_MAX)
        self.email = normalise_email(self.email, required=False)
        self.phone = normalise_phone(self.phone)
        if not isinstance(self.active, bool):
            raise InvalidValue("« active » vaut true ou false.", field="active")
        if not isinstance(self.profile, ShopProfile):
            raise InvalidValue("Profil boutique invalide.", field="profile")
        self.profile.check()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def shop_fields(self) -> dict[str, object]:
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "matricule": self.matricule,
            "email": self.email,
            "phone": self.phone,
            "presentation": self.profile.presentation,
            "services": sorted(self.profile.services),
            "zones": sorted(self.profile.zones),
            "skills": sorted(self.profile.skills),
            "active": self.active,
        }

    def update(self, **changes: object) -> None:
        self._apply_changes(frozenset({"first_name", "last_name", "email", "phone", "profile", "active"}), changes)

    def require_active(self) -> None:
        """An intervenant who left (``active`` false) is given no new intervention."""
        if not self.active:
            raise InvalidTransition(f"L'intervenant {self.full_name} ({self.matricule}) n'est plus actif : "
                                    "aucune intervention ne lui est plus attribuée.", intervenant_id=self.id)

    def require_offers(self, shop_service_id: str) -> None:
        if shop_service_id not in self.profile.services:
            raise ServiceNotOffered(self.full_name, shop_service_id)

    def request_sync(self, force: bool = False) -> bool:
        """Ask for the profile to be sent; False when the shop already has exactly this."""
        if self.sync_status is SyncStatus.IN_SYNC and not force:
            return False
        request = self.sync_request_id(force)
        self._record(IntervenantSyncRequested(self.company_id, self.id, self.fingerprint, request))
        return True
