"""``python -m ogust_urssaf --port 8710 [--tiers CLIENT_ID:SECRET ...] [--token-lifetime 3600]``."""
from __future__ import annotations

import argparse
import os
from datetime import timedelta

import uvicorn

from ogust_urssaf.app import create_app
from ogust_urssaf.store import Store, Tiers


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ogust_urssaf",
                                     description="Run the reference URSSAF server (API Tiers de prestation).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8710)
    parser.add_argument("--tiers", action="append", default=[], metavar="CLIENT_ID:SECRET",
                        help="create a tiers de prestation with these credentials (repeatable); "
                             "also OGUST_URSSAF_TIERS, comma-separated")
    parser.add_argument("--token-lifetime", type=int, default=3600, help="seconds a token lasts (default 3600)")
    parser.add_argument("--integration-delay", type=int, default=60,
                        help="seconds of server clock before a request goes from 10 to 20 (default 60)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    store = Store()
    listed = [*options.tiers, *filter(None, os.environ.get("OGUST_URSSAF_TIERS", "").split(","))]
    for pair in listed:
        client_id, _, secret = pair.partition(":")
        if not client_id or not secret:
            raise SystemExit(f"--tiers attend CLIENT_ID:SECRET, reçu {client_id or '(vide)'}:…")
        store.tiers[client_id] = Tiers(client_id, secret, f"Tiers {client_id}")
    app = create_app(store, token_lifetime=options.token_lifetime,
                     integration_delay=timedelta(seconds=options.integration_delay))
    uvicorn.run(app, host=options.host, port=options.port, log_level="info")


if __name__ == "__main__":
    main()
