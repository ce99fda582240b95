"""``python -m ogust_shop --port 8700 [--data FILE] [--stripe-base URL --stripe-key KEY] [--seed-demo]``."""
from __future__ import annotations

import argparse
import os

import uvicorn

from ogust_shop.app import create_app
from ogust_shop.demo import DEMO_ACCOUNT_ID, seed_demo
from ogust_shop.store import Store
from ogust_shop.stripe_cards import StripeCards


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m ogust_shop", description="Run the reference shop.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--data", help="JSON file where the shop keeps its data (default: memory only)")
    parser.add_argument("--stripe-base", default=env("OGUST_SHOP_STRIPE_BASE"),
                        help="Stripe API base, e.g. a localstripe server http://127.0.0.1:8420")
    parser.add_argument("--stripe-key", default=env("OGUST_SHOP_STRIPE_KEY", "sk_test_ogust_shop"))
    parser.add_argument("--seed-demo", action="store_true", help=f"create or update the account {DEMO_ACCOUNT_ID}")
    parser.add_argument("--api-key", default=env("OGUST_SHOP_API_KEY", "demo-shop-api-key"),
                        help="the demo account's API key (ogust sends it as a bearer token)")
    parser.add_argument("--webhook-url", default=env("OGUST_SHOP_WEBHOOK_URL", "http://127.0.0.1:8000/api/shop/orders"))
    parser.add_argument("--webhook-secret", default=env("OGUST_SHOP_WEBHOOK_SECRET", "demo-webhook-secret"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    store = Store(options.data)
    if options.seed_demo:
        seed_demo(store, options.api_key, options.webhook_url, options.webhook_secret)
    cards = StripeCards(options.stripe_base, options.stripe_key) if options.stripe_base else None
    uvicorn.run(create_app(store, cards), host=options.host, port=options.port, log_level="info")


if __name__ == "__main__":
    main()
