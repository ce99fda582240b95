"""Payment gateways: Stripe (real adapter) and an in-memory fake for unit tests."""
