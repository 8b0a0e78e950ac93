"""A user's registry of known people and organisations, read from CSV or YAML.

Newsrooms already keep lists of the people they cover, often with Wikidata ids. Importing
one (``sayso speakers import FILE``) makes those entries the archive's canonical speakers:
the aliases join them at every later ingest ("Stoltenberg", "the NATO chief's" full
name), their roles are shown beside the roles the articles give, and a Wikidata id links
the speaker page to the outside world. This module only reads and checks the file; the
archive side is ``sayso.store.registry``.

CSV: a header row with ``name`` and any of ``kind``, ``aliases``, ``roles``,
``organization``, ``wikidata``; several aliases or roles in one cell are separated by
``;``. YAML: a list of mappings with the same keys (``aliases`` and ``roles`` as lists or
``;``-separated strings), or a mapping with that list under ``speakers``.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from sayso.records import KnownSpeaker

MAX_BYTES = 20 * 1024 * 1024
FIELDS = ("name", "kind", "aliases", "roles", "organization", "wikidata")
KINDS = ("person", "organization")
WIKIDATA = re.compile(r"Q[1-9][0-9]*")


class RegistryError(ValueError):
    """A registry file that cannot be imported; the message says where and why."""


def read_registry(path: str | Path) -> list[KnownSpeaker]:
    path = Path(path)
    if not path.is_file():
        raise RegistryError(f"{path}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise RegistryError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB; split it")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(text, path)
    elif suffix in (".yaml", ".yml"):
        rows = _yaml_rows(text, path)
    else:
        raise RegistryError(f"{path}: a registry is a .csv, .yaml or .yml file")
    entries = [_entry(row, where, path) for where, row in rows]
    _no_duplicates(entries, [where for where, _ in rows], path)
    return entries


def _csv_rows(text: str, path: Path) -> list[tuple[str, dict]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "name" not in header:
        raise RegistryError(f"{path}: the first row must name the columns, one of them 'name'")
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        raise RegistryError(f"{path}: unknown column(s) {', '.join(unknown)}; "
                            f"the columns are {', '.join(FIELDS)}")
    reader.fieldnames = header
    return [(f"line {reader.line_num}", row) for row in reader]


def _yaml_rows(text: str, path: Path) -> list[tuple[str, dict]]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    if isinstance(data, dict) and "speakers" in data:
        data = data["speakers"]
    if not isinstance(data, list):
        raise RegistryError(f"{path}: expected a list of speakers (or 'speakers:' with one)")
    rows = []
    for k, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise RegistryError(f"{path}: entry {k} is not a mapping of name, aliases, …")
        unknown = [str(key) for key in item if str(key).lower() not in FIELDS]
        if unknown:
            raise RegistryError(f"{path}: entry {k}: unknown key(s) {', '.join(unknown)}")
        rows.append((f"entry {k}", {str(key).lower(): v for key, v in item.items()}))
    return rows


def _entry(row: dict, where: str, path: Path) -> KnownSpeaker:
    name = _text(row.get("name"))
    if not name:
        raise RegistryError(f"{path}: {where}: no name")
    kind = (_text(row.get("kind")) or "person").lower()
    if kind in ("org", "organisation"):
        kind = "organization"
    if kind not in KINDS:
        raise RegistryError(f"{path}: {where}: kind {kind!r} is neither person nor organization")
    wikidata = _text(row.get("wikidata"))
    if wikidata and not WIKIDATA.fullmatch(wikidata):
        raise RegistryError(f"{path}: {where}: {wikidata!r} is not a Wikidata id (Q followed by digits)")
    aliases = tuple(a for a in _list(row.get("aliases")) if a != name)
    return KnownSpeaker(name=name, kind=kind, aliases=aliases, roles=_list(row.get("roles")),
                        organization=_text(row.get("organization")), wikidata=wikidata)


def _text(value) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _list(value) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, (list, tuple)) else str(value).split(";")
    out: list[str] = []
    for item in items:
        text = _text(item)
        if text and text not in out:
            out.append(text)
    return tuple(out)


def _no_duplicates(entries: list[KnownSpeaker], wheres: list[str], path: Path) -> None:
    seen: dict[str, str] = {}
    for e, where in zip(entries, wheres):
        for n in (e.name, *e.aliases):
            key = n.casefold()
            if key in seen and seen[key] != where:
                raise RegistryError(f"{path}: {where}: {n!r} is also given at {seen[key]}; "
                                    f"one name, one speaker")
            seen[key] = where
