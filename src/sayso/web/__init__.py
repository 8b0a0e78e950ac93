"""The web application and HTTP API over the statement archive (``sayso serve``).

``create_app(db_url, token=None)`` returns the FastAPI app: server-rendered pages
(``pages``), the JSON API under ``/api`` (``api``), templates and static files shipped in
this package. Nothing imports this package but the CLI.
"""
from __future__ import annotations

from sayso.web.app import create_app

__all__ = ["create_app"]
