"""The FastAPI REST API."""
