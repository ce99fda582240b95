"""/docs works without internet: Swagger UI's files are served by ogust itself (issue 18: the page was
blank, its script loaded from a CDN)."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration


def test_the_docs_page_references_no_other_host_and_its_files_are_served(offline_api):
    http = TestClient(offline_api.app)
    page = http.get("/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    assert re.findall(r"https?://", page.text) == [], re.findall(r"https?://[^\s'\"]+", page.text)
    assets = re.findall(r"""(?:src|href)=["'](/[^"']+)["']""", page.text)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        answer = http.get(asset)
        assert answer.status_code == 200 and answer.content, asset
    assert "'/openapi.json'" in page.text or '"/openapi.json"' in page.text
    assert http.get("/openapi.json").status_code == 200


def test_no_page_loads_redoc_from_a_cdn(offline_api):
    assert TestClient(offline_api.app).get("/redoc").status_code == 404
