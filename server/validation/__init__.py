"""The official OCA JSON schemas, compiled once at start-up; requests in and replies out."""
from .schemas import Schemas, ValidationError, schemas_for

__all__ = ["Schemas", "ValidationError", "schemas_for"]
