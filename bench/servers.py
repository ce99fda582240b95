"""The three HTTP servers of the order-intake benchmark, with the same settings (uvicorn, one
process, no access log, the same database and engine settings):

    python -m bench.servers ogust     --database-url URL --port 8001 --var-dir DIR
    python -m bench.servers bare      --database-url URL --port 8002
    python -m bench.servers same-work --database-url URL --port 8003

``ogust`` is ogust's REST API (``POST /api/shop/orders``: signed webhook, the order checked and
stored as client, accepted devis and interventions), with a payment gateway that accepts any card
(no Stripe call is measured). ``bare`` is a FastAPI endpoint that inserts the order as one row.
``same-work`` is a FastAPI endpoint that does ogust's work by hand: the same checks and the same rows,
with the raw driver in one transaction (bench/same_work.py).
"""
from __future__ import annotations

import argparse
import json
import os
import uuid
from typing import Any


def bare_app(database_url: str):
    from fastapi import Body, FastAPI
    from sqlalchemy import Column, MetaData, String, Table, Text

    from ogust.adapters.persistence.database import make_engine

    engine = make_engine(database_url)
    metadata = MetaData()
    orders = Table("bench_bare_orders", metadata, Column("id", String(36), primary_key=True),
                   Column("order_id", String(120), nullable=False), Column("body", Text, nullable=False))
    metadata.create_all(engine)
    app = FastAPI()

    @app.post("/orders", status_code=201)
    def receive(order: dict[str, Any] = Body(...)) -> dict[str, str]:
        row_id = str(uuid.uuid4())
        with engine.begin() as connection:
            connection.execute(orders.insert().values(id=row_id, order_id=str(order["order_id"]),
                                                      body=json.dumps(order)))
        return {"id": row_id}

    return app


def ogust_app(database_url: str, var_dir: str):
    from dependency_injector import providers

    from ogust.adapters.payments.fake_gateway import FakePaymentGateway
    from ogust.entrypoints.api.app import create_app
    from ogust.entrypoints.container import build_container

    os.environ.update({"OGUST_DATABASE_URL": database_url, "OGUST_VAR_DIR": var_dir, "OGUST_RUN_WORKER": "false",
                       "OGUST_SECRET_KEY": "bench-secret-key-0123456789"})
    container = build_container()
    container.payments.override(providers.Object(FakePaymentGateway(any_card_usable=True)))
    return create_app(container, run_worker=False)


def same_work_app(database_url: str):
    from bench.same_work import same_work_app as app

    return app(database_url)


APPS = {"ogust": ogust_app, "bare": bare_app, "same-work": same_work_app}


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("which", choices=list(APPS))
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--var-dir", default="var-bench")
    args = parser.parse_args()
    app = ogust_app(args.database_url, args.var_dir) if args.which == "ogust" else APPS[args.which](args.database_url)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
