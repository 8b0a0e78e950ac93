"""Date phrases → ISO 8601, through dateparser, cached and offline.

Only phrases the entity tagger marks as DATE near a statement reach this module, so
dateparser runs a handful of times per article, and each distinct (phrase, base) pair
once per process. ``languages=["en"]`` keeps dateparser from guessing the language.

Without a publication date the year is unknown: an absolute day ('February 15') becomes
the partial ``--02-15``, and a relative one ('on Thursday', 'last week') stays unknown.
Whether a phrase is absolute is tested, not listed: it is parsed against two different
bases, and only what comes out the same is taken from the text.
"""
from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta

_BASES = (datetime(2001, 3, 14, 12), datetime(2011, 10, 19, 12))


@functools.lru_cache(maxsize=8)
def _parser(base: datetime | None, prefer: str = "past"):
    from dateparser.date import DateDataParser

    settings = {"PREFER_DATES_FROM": prefer, "RETURN_AS_TIMEZONE_AWARE": False,
                "DATE_ORDER": "MDY"}
    if base is not None:
        settings["RELATIVE_BASE"] = base
    return DateDataParser(languages=["en"], settings=settings)


def _clean(phrase: str) -> str:
    p = " ".join(phrase.split())
    p = re.sub(r"^(on|in|at|by|from|since|as of|during)\s+", "", p, flags=re.I)
    return p.strip(" ,.;:")


def _iso(d: datetime, period: str) -> str:
    if period == "year":
        return f"{d.year:04d}"
    if period == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if period == "week":
        y, w, _ = d.isocalendar()
        return f"{y:04d}-W{w:02d}"
    return d.date().isoformat()


@functools.lru_cache(maxsize=4096)
def resolve_date(phrase: str, published: str | None = None) -> str | None:
    """'February 15' → '2023-02-15' (published 2023-02-27) or '--02-15' (unknown year)."""
    p = _clean(phrase)
    if not p or len(p) > 60:
        return None
    base = _published(published)
    if base is not None:
        data = _parser(base).get_date_data(p)
        if data.date_obj is None:
            return None
        return _iso(data.date_obj, data.period or "day")
    a = _parser(_BASES[0]).get_date_data(p)
    b = _parser(_BASES[1]).get_date_data(p)
    if a.date_obj is None or b.date_obj is None:
        return None
    da, db = a.date_obj, b.date_obj
    period = a.period or "day"
    if da.year == db.year and (da.month, da.day) == (db.month, db.day) or (
            period in ("year", "month") and da.year == db.year):
        return _iso(da, period)                      # the text gives the year
    if period == "day" and (da.month, da.day) == (db.month, db.day):
        return f"--{da.month:02d}-{da.day:02d}"      # month and day, year unknown
    if period == "month" and da.month == db.month:
        return f"--{da.month:02d}"
    return None


def shift(iso: str, days: int) -> str:
    """An ISO date (full or --MM-DD) moved by whole days ('the following day')."""
    if re.fullmatch(r"--\d{2}-\d{2}", iso):
        d = date(2001, int(iso[2:4]), int(iso[5:7])) + timedelta(days=days)
        return f"--{d.month:02d}-{d.day:02d}"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso):
        return (date.fromisoformat(iso) + timedelta(days=days)).isoformat()
    return iso


@functools.lru_cache(maxsize=256)
def _published(published: str | None) -> datetime | None:
    if not published:
        return None
    try:
        d = date.fromisoformat(published[:10])
    except ValueError:
        return None
    return datetime(d.year, d.month, d.day, 12)
