"""Server-side rendering helpers: an article's text with its statements' spans marked up,
and the weekly timeline chart as inline SVG. Every piece of text that reaches HTML goes
through ``markupsafe.escape`` here (the templates autoescape everything else)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Sequence
from urllib.parse import quote

from markupsafe import Markup, escape

from sayso.records import Statement, StoredStatement, WeekCount

PARTS = ("cue", "source", "content")
CLASS = {"cue": "cue", "source": "src", "content": "content"}


@dataclass
class Segment:
    start: int
    end: int
    marks: dict[str, list[str]] = field(default_factory=lambda: {p: [] for p in PARTS})

    @property
    def marked(self) -> bool:
        return any(self.marks.values())


def segments(text: str, statements: Sequence[Statement | StoredStatement]) -> list[Segment]:
    """The text cut at every span boundary; each piece knows which statements' cue, source or
    content covers it (statement ids in the article's own numbering)."""
    n = len(text)
    marks: list[tuple[int, int, str, str]] = []
    bounds = {0, n}
    for st in statements:
        for part in PARTS:
            found = getattr(st, part)
            for span in found.spans if found else ():
                s, e = max(0, min(int(span[0]), n)), max(0, min(int(span[1]), n))
                if e > s:
                    marks.append((s, e, part, str(st.id)))
                    bounds.update((s, e))
    cuts = sorted(bounds)
    starts: dict[int, list[tuple[int, str, str]]] = {}
    for s, e, part, sid in marks:
        starts.setdefault(s, []).append((e, part, sid))
    active: list[tuple[int, str, str]] = []
    out: list[Segment] = []
    for a, b in zip(cuts, cuts[1:]):
        active = [m for m in active if m[0] > a] + starts.get(a, [])
        seg = Segment(a, b)
        for _e, part, sid in active:
            if sid not in seg.marks[part]:
                seg.marks[part].append(sid)
        out.append(seg)
    return out


def highlighted(text: str, statements: Sequence[Statement | StoredStatement]) -> Markup:
    """The text as HTML: unmarked stretches as escaped text, marked ones as
    ``<span class="hl cue src content" data-s data-e data-cue data-source data-content>``
    (offsets ``[data-s, data-e)`` into the text; statement ids space-separated)."""
    html: list[str] = []
    for seg in segments(text, statements):
        piece = escape(text[seg.start:seg.end])
        if not seg.marked:
            html.append(str(piece))
            continue
        classes = ["hl"] + [CLASS[p] for p in PARTS if seg.marks[p]]
        attrs = [f'class="{" ".join(classes)}"', f'data-s="{seg.start}"', f'data-e="{seg.end}"']
        for p in PARTS:
            if seg.marks[p]:
                attrs.append(f'data-{p}="{escape(" ".join(seg.marks[p]))}"')
        html.append(f"<span {' '.join(attrs)}>{piece}</span>")
    return Markup("".join(html))


def timeline_svg(weeks: Sequence[WeekCount], width: int = 760, height: int = 180) -> Markup:
    """Statements per week as a bar chart (inline SVG, styled by the site's CSS: no script,
    no inline style). ``weeks``: consecutive weeks, as ``browse.timeline`` gives them."""
    if not weeks:
        return Markup("")
    left, right, top, bottom = 40, 12, 12, 34
    pw, ph = width - left - right, height - top - bottom
    peak = max(w.count for w in weeks) or 1
    n = len(weeks)
    step = pw / n
    bar = max(1.0, step * 0.8) if n > 1 else min(40.0, pw)
    parts = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(f"Statements per week, {weeks[0].week} to {weeks[-1].week}")}">',
        f'<line class="axis" x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}"/>',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}"/>',
        f'<text class="tick" x="{left - 6}" y="{top + 4}" text-anchor="end">{peak}</text>',
        f'<text class="tick" x="{left - 6}" y="{top + ph + 4}" text-anchor="end">0</text>',
    ]
    if peak > 1:
        parts.append(f'<line class="grid" x1="{left}" y1="{top}" x2="{left + pw}" y2="{top}"/>')
    for i, w in enumerate(weeks):
        week, count = w.week, w.count
        if not count:
            continue
        h = max(1.0, ph * count / peak)
        x = left + i * step + (step - bar) / 2 if n > 1 else left + (pw - bar) / 2
        label = f"week of {week}: {count} statement{'s' if count != 1 else ''}"
        parts.append(
            f'<rect class="bar" data-week="{escape(week)}" data-count="{count}" x="{x:.1f}" '
            f'y="{top + ph - h:.1f}" width="{bar:.1f}" height="{h:.1f}"><title>{escape(label)}</title></rect>'
        )
    for i in _tick_indices(n):
        x = left + (i + 0.5) * step if n > 1 else left + pw / 2
        parts.append(f'<line class="axis" x1="{x:.1f}" y1="{top + ph}" x2="{x:.1f}" y2="{top + ph + 4}"/>')
        parts.append(f'<text class="tick" x="{x:.1f}" y="{top + ph + 18}" text-anchor="middle">'
                     f'{escape(_short(weeks[i].week))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _tick_indices(n: int, most: int = 6) -> list[int]:
    """Evenly spaced labelled weeks, the first always among them."""
    step = max(1, -(-(n - 1) // (most - 1))) if n > 1 else 1
    return list(range(0, n, step))


def _short(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%b')} {d.year}"


def article_href(article_id: str) -> str:
    """The page of an article. Every character that could end or split the path is
    escaped (``/``, ``?``, ``#``); an id that is a dot segment (``.``, ``..``), which a
    browser would remove from the path before asking, is sent as ``?id=`` instead."""
    quoted = quote(article_id, safe="")
    if quoted in (".", ".."):
        return "/articles?id=" + quoted
    return "/articles/" + quoted


def api_article_href(article_id: str) -> str:
    """The article in the API (``/`` escaped too, so dot segments stay inside the id)."""
    return "/api/articles/" + quote(article_id, safe="")


BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def no_bidi(value):
    """Text shown on a page without the bidirectional embedding, override and isolate
    controls (U+202A–U+202E, U+2066–U+2069), which can make a title or an outlet read as
    something else (``gnp.exe`` shown as ``exe.png``). Marked-up HTML built here (the
    article body) is left alone: its text came through ``escape`` already."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return value.translate(BIDI_CONTROLS)
    return value


def speaker_href(speaker_id: str) -> str:
    return "/speakers/" + quote(speaker_id, safe="")


def one_line(text: str | None, width: int = 320) -> str:
    """Content for a list: paragraphs joined, cut at ``width`` characters."""
    text = " ".join((text or "").replace("\n\n", " ¶ ").split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def web_url(url: str | None) -> bool:
    """Only http(s) links are rendered as links (never ``javascript:`` and the like)."""
    return bool(url) and url.strip().lower().startswith(("http://", "https://"))
