"""Statement dates as a digest says them, and as it sorts them.

Stored dates are ISO 8601, possibly partial: ``2023-02-15``, ``--02-15`` (no year),
``2023-02``, ``2016``, ``2016-W37``. A statement without a date of its own is placed at
its article's publication date and says so ("As reported on …"); with neither, nothing
is said about when.
"""
from __future__ import annotations

import re
from datetime import date

from sayso.digest.vocab import load_vocab

FULL = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
NO_YEAR = re.compile(r"--(\d{2})-(\d{2})")
MONTH = re.compile(r"(\d{4})-(\d{2})")
YEAR = re.compile(r"(\d{4})")
WEEK = re.compile(r"(\d{4})-W(\d{2})")


def _month(m: str) -> str | None:
    months = load_vocab().months
    n = int(m)
    return months[n - 1] if 1 <= n <= 12 else None


def _day_month(day: str, month: str) -> str | None:
    name = _month(month)
    return f"{int(day)} {name}" if name and 1 <= int(day) <= 31 else None


def phrase(value: str | None) -> str | None:
    """'2023-02-15' → 'On 15 February 2023'; '--02-15' → 'On 15 February'; '2023-02' →
    'In February 2023'; '2016' → 'In 2016'; '2016-W37' → 'In the week of 12 September 2016';
    anything else → None."""
    if not value:
        return None
    v = value.strip()
    if m := FULL.fullmatch(v):
        dm = _day_month(m.group(3), m.group(2))
        return f"On {dm} {m.group(1)}" if dm else None
    if m := NO_YEAR.fullmatch(v):
        dm = _day_month(m.group(2), m.group(1))
        return f"On {dm}" if dm else None
    if m := WEEK.fullmatch(v):
        try:
            monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            return None
        return f"In the week of {monday.day} {_month(str(monday.month))} {monday.year}"
    if m := MONTH.fullmatch(v):
        name = _month(m.group(2))
        return f"In {name} {m.group(1)}" if name else None
    if YEAR.fullmatch(v):
        return f"In {v}"
    return None


def when(statement_date: str | None, published: str | None) -> str | None:
    """The opening of a digest line: the statement's own date, else 'As reported on' its
    article's publication date, else None."""
    own = phrase(statement_date)
    if own:
        return own
    pub = phrase((published or "")[:10]) if published and FULL.match(published) else None
    return "As reported " + pub[0].lower() + pub[1:] if pub else None


def sort_key(statement_date: str | None, published: str | None) -> str:
    """A sortable ISO string: a date without year takes the publication year (or the year
    before, when the day would come after publication); undated statements take the
    publication date; with neither, '9999' sorts them last."""
    pub = (published or "")[:10] if published and FULL.match(published) else None
    v = (statement_date or "").strip()
    if FULL.fullmatch(v) or MONTH.fullmatch(v) or YEAR.fullmatch(v):
        return v
    if m := WEEK.fullmatch(v):
        try:
            return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1).isoformat()
        except ValueError:
            pass
    if (m := NO_YEAR.fullmatch(v)) and pub:
        year = int(pub[:4]) - (1 if f"{m.group(1)}-{m.group(2)}" > pub[5:] else 0)
        return f"{year}-{m.group(1)}-{m.group(2)}"
    return pub or "9999"
