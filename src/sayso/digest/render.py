"""A digest written out: Markdown (a heading per group, a bullet per line), HTML (a
standalone page, everything escaped) or JSON (``{"query", "group_by", "groups": [{"name",
"statements": [statement records]}]}``). Every line carries its reference: the article,
the statement's id there and the content's character spans, linked to the web page that
shows them (``/articles/ID#sN``, relative unless ``base_url`` is given)."""
from __future__ import annotations

import json
from urllib.parse import quote

from markupsafe import escape

from sayso.digest import Digest
from sayso.digest.group import Entry

FORMATS = ("markdown", "html", "json")


def href(entry: Entry, base_url: str = "") -> str:
    r = entry.row
    return f"{base_url.rstrip('/')}/articles/{quote(r.article_id, safe='')}#{quote(r.local_id, safe='')}"


def spans(entry: Entry) -> list[list[int]]:
    """The content's spans; for a statement whose content was lost, its cue's."""
    return [list(s) for s in entry.row.content.spans or entry.row.cue.spans]


def span_label(entry: Entry) -> str:
    return ", ".join(f"{s}–{e}" for s, e in spans(entry))


def reference(entry: Entry) -> str:
    return f"{entry.row.article_id} {entry.row.local_id}, characters {span_label(entry)}"


def header(d: Digest) -> str:
    n = d.size
    period = ""
    if d.since or d.until:
        period = f", {d.since or '…'} to {d.until or '…'}"
    return (f"{n} statement{'s' if n != 1 else ''} matching “{d.query}”{period}, "
            f"grouped by {d.group_by}, oldest first")


def empty_message(d: Digest) -> str:
    return f"No statement in the archive matches “{d.query}”."


def markdown(d: Digest, base_url: str = "") -> str:
    out = [f"# Who said what: {d.query}", "", f"_{header(d)}._" if d.size else empty_message(d), ""]
    for g in d.groups:
        out += [f"## {g.name}", ""]
        for e in g.entries:
            out.append(f"- {e.line.text} ([{reference(e)}]({href(e, base_url)}))")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def to_json(d: Digest) -> dict:
    """The digest as data: each statement the schema's record (with ``article_id``,
    ``article_ids`` and ``statement_id``) plus ``line`` (the sentence), ``said_on`` (the
    date used for ordering) and ``href`` (its place in the web app)."""
    return {
        "query": d.query, "group_by": d.group_by, "since": d.since, "until": d.until,
        "groups": [{"name": g.name, "statements": [
            {**e.row.hit.to_dict(), "line": e.line.text, "said_on": e.sort if e.sort != "9999" else None,
             "href": href(e)} for e in g.entries]} for g in d.groups],
    }


def json_text(d: Digest) -> str:
    return json.dumps(to_json(d), ensure_ascii=False, indent=2) + "\n"


def html(d: Digest, base_url: str = "") -> str:
    """A standalone HTML page (no script, no style beyond the markup)."""
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>Who said what: {escape(d.query)}</title></head><body>",
             f"<h1>Who said what: {escape(d.query)}</h1>",
             f"<p>{escape(header(d) if d.size else empty_message(d))}</p>"]
    for g in d.groups:
        parts.append(f"<h2>{escape(g.name)}</h2><ul>")
        for e in g.entries:
            parts.append(f'<li>{escape(e.line.text)} <a href="{escape(href(e, base_url))}">'
                         f"({escape(reference(e))})</a></li>")
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render(d: Digest, fmt: str, base_url: str = "") -> str:
    if fmt == "markdown":
        return markdown(d, base_url)
    if fmt == "html":
        return html(d, base_url)
    if fmt == "json":
        return json_text(d)
    raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
