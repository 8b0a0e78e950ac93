"""The reaction graph as a picture: SVG written by hand (no plotting library to install).

Speakers sit on a circle (one speaker, when the graph is drawn around them, in the
middle), coloured by their group; an arrow X → Y per edge, thicker for more statements,
with the evidence count in its tooltip. Only presentation attributes, no ``style``
element or attribute and no script, so the same markup works as a standalone file and
inline under the web app's Content-Security-Policy. Every text is escaped.
"""
from __future__ import annotations

import math

from markupsafe import Markup, escape

from sayso.digest.graph import Graph

PALETTE = ("#2b5fb4", "#c0392b", "#27865a", "#8e44ad", "#d35400", "#16738f", "#7f6a00", "#b03a78",
           "#555f6e", "#4a7c20")
NODE_R = 9
MAX_EDGES = 24


def _colours(graph: Graph) -> dict[str, str]:
    groups = sorted({n.group for n in graph.nodes.values()}, key=lambda g: (g == "Other", g))
    return {g: ("#8a919c" if g == "Other" else PALETTE[i % len(PALETTE)]) for i, g in enumerate(groups)}


def busiest(graph: Graph, most: int = MAX_EDGES) -> Graph:
    """The ``most`` heaviest edges and their speakers: a ring of a hundred names is unreadable."""
    if len(graph.edges) <= most:
        return graph
    edges = graph.edges[:most]
    keep = {s for e in edges for s in (e.source, e.target)}
    return Graph({k: v for k, v in graph.nodes.items() if k in keep}, edges)


def layout(graph: Graph, width: int, height: int, centre: str | None = None) -> dict[str, tuple[float, float]]:
    ids = list(graph.nodes)
    cx, cy = width / 2, height / 2
    pos: dict[str, tuple[float, float]] = {}
    ring = [i for i in ids if i != centre]
    if centre in graph.nodes:
        pos[centre] = (cx, cy)
    if len(ring) == 1 and centre not in graph.nodes:
        pos[ring[0]] = (cx, cy)
        return pos
    rx, ry = width / 2 - 150, height / 2 - 40
    start = math.pi if centre in graph.nodes else -math.pi / 2  # around a centre: from the left,
    for k, sid in enumerate(ring):                                # so no arrow runs through its name
        a = start + 2 * math.pi * k / max(1, len(ring))
        pos[sid] = (cx + rx * math.cos(a), cy + ry * math.sin(a))
    return pos


def svg(graph: Graph, centre: str | None = None, width: int = 760, height: int = 440,
        title: str = "Who reacts to whom") -> Markup:
    """The graph as an ``<svg>`` element ('' when it has no edge)."""
    if not graph.edges:
        return Markup("")
    graph = busiest(graph)
    pos = layout(graph, width, height, centre)
    colours = _colours(graph)
    peak = max(e.count for e in graph.edges)
    out = [f'<svg class="reaction-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
           f"<title>{escape(title)}</title>",
           '<defs><marker id="rg-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="11" '
           'markerHeight="11" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#5c6575"/>'
           "</marker></defs>"]
    for e in graph.edges:
        (x1, y1), (x2, y2) = pos[e.source], pos[e.target]
        d = math.hypot(x2 - x1, y2 - y1) or 1.0
        ux, uy = (x2 - x1) / d, (y2 - y1) / d
        x1, y1 = x1 + ux * NODE_R, y1 + uy * NODE_R
        x2, y2 = x2 - ux * (NODE_R + 2), y2 - uy * (NODE_R + 2)
        w = 1 + 3 * (e.count / peak)
        names = (graph.nodes[e.source].name, graph.nodes[e.target].name)
        tip = f"{names[0]} → {names[1]}: {e.count} statement{'s' if e.count != 1 else ''}"
        out.append(f'<line class="edge" data-source="{escape(e.source)}" data-target="{escape(e.target)}" '
                   f'x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#5c6575" '
                   f'stroke-opacity="0.75" stroke-width="{w:.1f}" marker-end="url(#rg-arrow)">'
                   f"<title>{escape(tip)}</title></line>")
    for sid, n in graph.nodes.items():
        x, y = pos[sid]
        anchor = "middle" if abs(x - width / 2) < 40 else ("start" if x > width / 2 else "end")
        tx = x if anchor == "middle" else (x + NODE_R + 5 if anchor == "start" else x - NODE_R - 5)
        ty = y - NODE_R - 6 if anchor == "middle" else y + 4
        out.append(f'<g class="node" data-id="{escape(sid)}"><circle cx="{x:.1f}" cy="{y:.1f}" r="{NODE_R}" '
                   f'fill="{colours[n.group]}" stroke="#ffffff" stroke-width="2">'
                   f'<title>{escape(n.name)} ({escape(n.group)})</title></circle>'
                   f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" font-size="13" '
                   f'font-family="system-ui, sans-serif" fill="#1d2330">{escape(n.name)}</text></g>')
    ly = height - 12
    lx = 10.0
    for g, c in colours.items():
        out.append(f'<rect x="{lx:.0f}" y="{ly - 9}" width="10" height="10" fill="{c}"/>'
                   f'<text x="{lx + 14:.0f}" y="{ly}" font-size="12" font-family="system-ui, sans-serif" '
                   f'fill="#5c6575">{escape(g)}</text>')
        lx += 24 + 7 * len(g)
    out.append("</svg>")
    return Markup("".join(out))


def standalone(graph: Graph, centre: str | None = None, title: str = "Who reacts to whom") -> str:
    """A complete SVG file (an empty picture that says so when there is no edge)."""
    body = svg(graph, centre, title=title)
    if not body:
        body = Markup('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 40" width="400" height="40">'
                      '<text x="10" y="25" font-size="13" font-family="system-ui, sans-serif">'
                      "No reactions found.</text></svg>")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + str(body) + "\n"
