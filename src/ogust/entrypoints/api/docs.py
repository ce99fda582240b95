"""The API's documentation page, served by ogust itself: Swagger UI's files come from the
``swagger-ui-bundle`` package (Apache-2.0, its licence in the package's metadata), under /static/swagger-ui,
never from a CDN — /docs was a blank page on a machine without internet. ReDoc, which only a CDN served,
is not offered."""
from __future__ import annotations

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/static/swagger-ui"


def serve_docs(app: FastAPI) -> None:
    """/docs with Swagger UI from the package (FastAPI's own /docs and /redoc are turned off)."""
    app.mount(ASSETS, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} — API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js", swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from validator.swagger.io
        )
