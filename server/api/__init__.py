"""The REST API under /api/v1 (docs/rest-api.md): a thin layer over the ocpp.* SQL functions, its
OpenAPI spec and the Swagger UI at /docs/."""
from .routes import ROUTES, setup_api
from .openapi import openapi_spec

__all__ = ["ROUTES", "openapi_spec", "setup_api"]
