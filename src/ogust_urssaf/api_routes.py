"""The documented API: the OAuth2 token endpoint and the four calls under /atp/v1/tiersPrestations."""
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ogust_urssaf.errors import OAuthRefusal
from ogust_urssaf.http import UrssafJSON, json_body
from ogust_urssaf.service import UrssafService
from ogust_urssaf.store import Tiers

router = APIRouter(default_response_class=UrssafJSON)
BASE = "/atp/v1/tiersPrestations"


def service_of(request: Request) -> UrssafService:
    return request.app.state.service


def caller(request: Request) -> Tiers:
    return service_of(request).tiers_for(request.headers.get("authorization", ""))


@router.post("/api/oauth/v1/token")
async def token(request: Request) -> Response:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        raise OAuthRefusal(400, "invalid_request", "Corps attendu en application/x-www-form-urlencoded.")
    raw = (await request.body())[:10_000].decode("utf-8", errors="replace")
    form = {key: values[0] for key, values in parse_qs(raw).items()}
    return UrssafJSON(service_of(request).issue_token(form), headers={"Cache-Control": "no-store"})


@router.post(f"{BASE}/particulier")
async def register(request: Request) -> Response:
    tiers = caller(request)
    return UrssafJSON(service_of(request).register(tiers, await json_body(request)))


@router.get(f"{BASE}/particulier")
def client_status(request: Request, idClient: str = Query(min_length=1, max_length=100)) -> Response:  # noqa: N803
    return UrssafJSON(service_of(request).client_status(caller(request), idClient))


@router.post(f"{BASE}/demandePaiement")
async def submit(request: Request) -> Response:
    tiers = caller(request)
    return UrssafJSON(service_of(request).submit(tiers, await json_body(request)))


@router.post(f"{BASE}/demandePaiement/rechercher")
async def search(request: Request) -> Response:
    tiers = caller(request)
    return UrssafJSON(service_of(request).search(tiers, await json_body(request)))
