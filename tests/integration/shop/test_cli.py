"""``python -m ogust_shop --seed-demo --data FILE`` as a newcomer would run it."""
from __future__ import annotations

from ogust.adapters.shop.http_shop_api import HttpShopApi
from ogust.domain.money import Money
from tests.support.shop_server import shop_process


def test_the_demo_shop_sells_three_services_and_keeps_its_data_across_restarts(tmp_path):
    data = tmp_path / "shop.json"
    intervenant = {"id": "int_1", "first_name": "Sophie", "last_name": "Durand", "matricule": "M1",
                   "services": ["svc_menage"], "skills": ["Repassage"]}
    with shop_process("--seed-demo", "--api-key", "cli-demo-key", data=data) as shop:
        with HttpShopApi(shop.base_url, "cli-demo-key") as api:
            services = api.list_services("acc_demo")
            api.upsert_intervenant("acc_demo", intervenant)
    assert [(s.label, s.price_ttc, s.vat_rate.percent) for s in services] == [
        ("Ménage", Money(2750), "10"),
        ("Garde d'enfants", Money(2200), "10"),
        ("Aide à la toilette", Money(3165), "5.5"),
    ]

    with shop_process(data=data) as shop:
        [stored] = shop.admin.account("acc_demo")["intervenants"]
    assert stored["skills"] == ["Repassage"]
