"""Running many documents: local worker processes (``local``) feeding the archive."""
from __future__ import annotations

from sayso.engine.local import IngestStats, default_workers, ingest

__all__ = ["IngestStats", "default_workers", "ingest"]
