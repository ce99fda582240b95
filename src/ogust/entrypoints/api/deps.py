"""Request-scoped dependencies shared by the routers."""
from dependency_injector.wiring import Provide, inject
from fastapi import Depends

from ogust.application.queries import Queries
from ogust.entrypoints.container import Container
from ogust.entrypoints.settings import Settings


@inject
def company_id(
    queries: Queries = Depends(Provide[Container.queries]),
    settings: Settings = Depends(Provide[Container.settings]),
) -> str:
    """The company the request acts for (one per installation until API keys say otherwise)."""
    return queries.company(settings.company_id).id
