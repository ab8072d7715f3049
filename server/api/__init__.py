"""The REST API under /api/v1 (docs/rest-api.md): a thin layer over the ocpp.* SQL functions, mounted
as an aiohttp sub-application, its OpenAPI spec and the Swagger UI at /docs/.

    routes.py   the route table (source of the spec) and its handlers, api_app() and setup_api()
    auth.py     tokens and the web UI's sign-in cookie      http.py   JSON errors, bodies, parameters
    openapi.py  the spec                                    limits.py the body size limit
"""
from .routes import ROUTES, api_app, setup_api
from .openapi import openapi_spec

__all__ = ["ROUTES", "api_app", "openapi_spec", "setup_api"]
