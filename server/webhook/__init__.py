"""Webhook mode: station-initiated messages answered by an HTTP endpoint instead of ocpp.parse."""
from .client import WebhookClient, WebhookError, WebhookRefused

__all__ = ["WebhookClient", "WebhookError", "WebhookRefused"]
