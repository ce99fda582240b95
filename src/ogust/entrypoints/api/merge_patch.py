"""PATCH as a JSON Merge Patch (RFC 7396), on every PATCH route: a member left out is kept, null
clears it, an object sent is itself a merge patch of that object, and a list given replaces that list
only. Before, a PATCH of ``{"profile": {"skills": [...]}}`` replaced the whole profile and wiped the
worker's presentation, services and zones.

``application/merge-patch+json`` is the media type (FastAPI parses every ``+json`` body as JSON);
plain ``application/json`` is accepted too, with the same meaning."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

MEDIA_TYPE = "application/merge-patch+json"

SEMANTICS = ("Corps : un JSON Merge Patch (RFC 7396, `application/merge-patch+json` ; `application/json` "
             "accepté) — un champ absent est conservé, `null` l'efface (refusé là où une valeur est "
             "obligatoire), un objet envoyé (profil, adresse) ne change que ses champs envoyés, une liste "
             "envoyée remplace cette liste seulement.")


def members(patch: BaseModel) -> dict[str, Any]:
    """The members the client sent, with their values (None for null); an object sent stays a model,
    for the caller to read as a patch of its own (``members`` again)."""
    return {name: getattr(patch, name) for name in patch.model_fields_set}


def openapi(model: type[BaseModel]) -> dict[str, Any]:
    """What a PATCH route declares: its body under both media types, and what the body means."""
    schema = {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
    return {"requestBody": {"required": True, "content": {MEDIA_TYPE: schema, "application/json": schema}}}
