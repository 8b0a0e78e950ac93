"""Statement and article records as the pipeline gives them (``Article.to_dict()``), built
by hand so that storage rules can be tested without parsing."""
from __future__ import annotations

from sayso.records import Article
from sayso.resolve.names import slug
from sayso.store import Writer


def speaker(name: str, org: str | None = None, country: str | None = None,
            descriptors: tuple[str, ...] = (), kind: str = "person") -> dict:
    if kind == "organization":
        org = name
    if kind == "place":
        country = name
    return {"name": name, "id": slug(name), "descriptors": list(descriptors),
            "organization": org, "country": country, "resolved_via": "name"}


def stmt(sid: str, content: str, who: dict | None = None, kind: str = "indirect",
         date: str | None = None, **extra) -> dict:
    rec = {
        "id": sid, "kind": kind, "cue": {"text": "said", "spans": [[0, 4]]},
        "source": {"text": who["name"], "spans": [[5, 5 + len(who["name"])]]} if who else None,
        "content": {"text": content, "spans": [[10, 10 + len(content)]]},
        "speaker": who, "date": date, "place": None, "event": None, "channel": None,
        "responds_to": [], "flags": [], "confidence": 0.9,
    }
    rec.update(extra)
    return rec


def article(aid: str, *statements: dict, published: str | None = None, title: str | None = None) -> dict:
    return {"id": aid, "title": title, "published": published, "byline": None, "url": None,
            "language": "en", "statements": list(statements)}


def store(engine, *records: dict, source: str | None = None):
    """Write the records (each with a text of its own); the Written results."""
    w = Writer(engine)
    return [w.write(Article.from_dict(r), f"text of {r['id']} " + " ".join(s["content"]["text"] for s in r["statements"]), source)
            for r in records]
