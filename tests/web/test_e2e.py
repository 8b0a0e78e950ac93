"""End to end: the real pages in headless Chromium (Debian's package, driven by Playwright)
against a real uvicorn server on 127.0.0.1. Each test leaves a full-page screenshot in
``test-output/screenshots/``."""
from __future__ import annotations

import json
import urllib.request

import pytest

from tests.web.conftest import SEED, TOKEN, screenshot

# Every highlighted piece of the article text that belongs to statement `sid`, per part, as
# [start, end, text] (offsets from the server's data-s/data-e attributes).
COLLECT = """(sid) => {
  const out = {};
  for (const p of ["cue", "source", "content"]) {
    out[p] = [...document.querySelectorAll(`#article-text [data-${p}~="${CSS.escape(sid)}"]`)]
      .map(el => [Number(el.dataset.s), Number(el.dataset.e), el.textContent, el.classList.contains("active")]);
  }
  out.active = [...document.querySelectorAll("#article-text .hl.active")].map(el =>
    ["cue", "source", "content"].some(p => (el.getAttribute("data-" + p) || "").split(" ").includes(sid)));
  return out;
}"""


def merge(pieces: list[list[int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for s, e in sorted(pieces):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def get_json(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return json.load(r)


def test_search_for_a_speaker_then_the_speaker_page(page, live_server):
    page.goto(live_server + "/")
    assert page.locator("ol.results li.result").count() > 0, "the home page lists the latest statements"
    screenshot(page, "01-search-home")

    page.fill("input[name=speaker]", "Stoltenberg")
    page.click("form.search button[type=submit]")
    page.wait_for_url("**/?*speaker=Stoltenberg*")
    card = page.locator(".speaker-card a.who")
    assert card.inner_text() == "Jens Stoltenberg"
    results = page.locator("ol.results li.result")
    assert results.count() >= 3
    assert page.locator("ol.results .who").all_inner_texts() == ["Jens Stoltenberg"] * results.count()
    screenshot(page, "02-search-speaker")

    card.click()
    page.wait_for_url("**/speakers/jens-stoltenberg")
    assert page.locator("h1").inner_text() == "Jens Stoltenberg"
    chart = page.locator("svg.timeline")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    bars = page.locator("svg.timeline rect.bar")
    assert bars.count() >= 2, "statements in at least two different weeks"
    detail = get_json(live_server, "/api/speakers/jens-stoltenberg")
    counts = [int(c) for c in bars.evaluate_all("els => els.map(e => e.dataset.count)")]
    assert sum(counts) == sum(w["count"] for w in detail["timeline"])
    weeks = bars.evaluate_all("els => els.map(e => e.dataset.week)")
    assert weeks == [w["week"] for w in detail["timeline"] if w["count"]]
    heights = bars.evaluate_all("els => els.map(e => e.getBBox().height)")
    peak = max(counts)
    assert heights[counts.index(peak)] == max(heights), "the tallest bar is the busiest week"
    assert page.locator("ol.results li.result").count() >= 3
    screenshot(page, "03-speaker")


def _check_article_highlights(page, base: str, article_id: str, query: str = "") -> int:
    art = get_json(base, "/api/articles/" + article_id + query)
    text = art["text"]
    items = page.locator("aside.statements li.stmt")
    assert items.count() == len(art["statements"])
    checked = 0
    for st in art["statements"]:
        sid = st["id"]
        page.hover(f'li.stmt[data-sid="{sid}"]')
        got = page.evaluate(COLLECT, sid)
        assert got["active"] and all(got["active"]), f"{sid}: only its own spans light up"
        for part in ("cue", "source", "content"):
            want = merge([list(s) for s in (st.get(part) or {}).get("spans") or []])
            pieces = got[part]
            assert all(active for *_, active in pieces), f"{sid} {part}: every piece is lit"
            assert merge([[s, e] for s, e, _t, _a in pieces]) == want, f"{sid} {part}"
            for s, e, t, _a in pieces:
                assert t == text[s:e], f"{sid} {part}: the element shows exactly text[{s}:{e}]"
        checked += 1
    return checked


def test_article_highlights_are_the_statement_spans(page, live_server):
    page.goto(live_server + "/articles/01_bridge")
    assert page.locator("h1").inner_text()
    assert _check_article_highlights(page, live_server, "01_bridge") >= 3
    # the colours are distinct: cue, source and content each look different
    colours = page.evaluate("""() => ["cue", "src", "content"].map(c =>
        getComputedStyle(document.querySelector(`#article-text .hl.${c}:not(.active)`) ||
                         document.querySelector(`.legend .hl.${c}`)).backgroundColor)""")
    assert len(set(colours)) == 3, colours
    first = page.locator("li.stmt").first
    first.hover()
    screenshot(page, "04-article")


@pytest.mark.skipif(not SEED.is_file(), reason="../shared (the reference article) is not here")
def test_reference_article_highlights(page, live_server):
    page.goto(live_server + "/articles/seed-stoltenberg?all=1")  # every statement, not only the trusted
    assert _check_article_highlights(page, live_server, "seed-stoltenberg", "?all=1") >= 30
    page.locator("li.stmt").nth(2).hover()
    screenshot(page, "05-article-reference")


@pytest.mark.skipif(not SEED.is_file(), reason="../shared (the reference article) is not here")
def test_analyse_the_reference_article(page, live_server):
    text = SEED.read_text(encoding="utf-8")
    before = get_json(live_server, "/api/statements?limit=1")["total"]
    page.goto(live_server + "/analyse")
    screenshot(page, "06-analyse-form")
    page.fill("textarea[name=text]", text)
    page.click("form.analyse button[type=submit]")
    page.wait_for_selector("aside.statements li.stmt")
    speakers = page.locator("aside.statements li.stmt .who").all_inner_texts()
    assert speakers.count("Jens Stoltenberg") >= 3, speakers
    assert {"Maria Zakharova", "Olaf Scholz"} <= set(speakers)
    # what is shown is the text as pasted, with the statements' spans in it
    shown = page.locator("#article-text").evaluate("el => el.textContent")
    assert shown == text
    first_stoltenberg = page.locator("aside.statements li.stmt", has_text="Jens Stoltenberg").first
    first_stoltenberg.hover()
    lit = page.locator("#article-text .hl.active").all_inner_texts()
    assert lit and any("said" in t or "according to" in t for t in lit)
    screenshot(page, "07-analyse-result")
    assert get_json(live_server, "/api/statements?limit=1")["total"] == before, "Analyse stores nothing"


def test_analyse_and_store_with_the_token(page, live_server):
    text = "\"The tunnel opens in May,\" transport minister Ola Brandt said on Friday.\n"
    page.goto(live_server + "/analyse")
    page.fill("textarea[name=text]", text)
    page.fill("input[name=title]", "Tunnel <opens>")
    page.check("input[name=store]")
    page.fill("input[name=token]", "wrong")
    page.click("form.analyse button[type=submit]")
    assert "valid token" in page.locator(".error").inner_text()
    assert page.locator("textarea[name=text]").input_value() == text, "the text is kept"
    page.check("input[name=store]")
    page.fill("input[name=token]", TOKEN)
    page.click("form.analyse button[type=submit]")
    page.wait_for_url("**/articles/*")
    assert page.locator("h1").inner_text() == "Tunnel <opens>"
    assert "Ola Brandt" in page.locator("aside.statements").inner_text()


def test_xss_in_article_text_is_shown_as_text(page, live_server):
    page.goto(live_server + "/articles/xss-attempt")
    assert page.evaluate("() => window.__xss === undefined && window.__xssTitle === undefined")
    assert page.locator("#article-text script, #article-text img, h1 b, h1 script").count() == 0
    body = page.locator("#article-text").inner_text()
    assert "<script>window.__xss = 1</script>" in body
    assert '<img src=x onerror="window.__xss=2">' in body
    assert page.locator("h1").inner_text() == "Council <b>vote</b> <script>window.__xssTitle=1</script>"
    quote = page.locator("aside.statements li.stmt", has_text="<script>")
    assert quote.count() >= 1, "the statement whose quote holds the script tag is listed, as text"
    quote.first.hover()
    lit = "".join(page.locator("#article-text .hl.content.active").all_inner_texts())
    assert "<script>window.__xss = 1</script>" in lit
    screenshot(page, "08-article-xss")


def test_other_pages_render(page, live_server):
    page.goto(live_server + "/speakers")
    rows = page.locator("table.speakers tbody tr")
    assert rows.count() >= 5
    screenshot(page, "09-speakers")
    page.goto(live_server + "/articles")
    assert page.locator("table.articles tbody tr").count() >= 8
    screenshot(page, "10-articles")
    page.goto(live_server + "/?q=budget&kind=direct")
    screenshot(page, "11-search-filtered")
    page.goto(live_server + "/articles/does-not-exist")
    assert "Not found" in page.locator("h1").inner_text()
    screenshot(page, "12-not-found")


def test_api_docs_page(page, live_server):
    page.goto(live_server + "/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    ops = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/extract" in o for o in ops) and any("/api/statements" in o for o in ops)
    screenshot(page, "13-api-docs")


@pytest.mark.skipif(not SEED.is_file(), reason="../shared (the reference article) is not here")
def test_digest_page(page, live_server):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server + "/digest")
    page.fill("input[name=query]", "Ukraine NATO membership")
    page.click("form.search button[type=submit]")
    page.wait_for_selector("li.digest-line")
    assert page.locator("section.digest h2").first.inner_text() == "NATO"
    assert page.locator("li.digest-line a.src-link").count() == page.locator("li.digest-line").count()
    assert page.locator("svg.reaction-graph").count() == 1
    assert not errors, errors  # nothing refused by the Content-Security-Policy
    screenshot(page, "14-digest")
    page.locator("li.digest-line a.src-link").first.click()
    page.wait_for_selector("#article-text")
    screenshot(page, "15-digest-source")


def test_show_all_statements_checkbox(page, live_server):
    """The home page shows the trusted view; ticking "show all statements" reloads it with
    every statement (?all=1), kept when following a result to its speaker; unticking goes back."""
    trusted = get_json(live_server, "/api/statements?limit=1")["total"]
    every = get_json(live_server, "/api/statements?limit=1&all=1")["total"]
    page.goto(live_server + "/")
    box = page.locator("input[name=all]")
    assert box.is_visible() and not box.is_checked()
    assert f"Latest of {trusted} trusted statements" in page.locator("p.summary").inner_text()
    box.check()
    page.wait_for_url("**/?*all=1*")
    assert page.locator("input[name=all]").is_checked()
    assert f"Latest of {every} statements" in page.locator("p.summary").inner_text()
    screenshot(page, "16-search-all-statements")
    page.locator("ol.results a.who").first.click()
    page.wait_for_url("**/speakers/*all=1*")
    assert page.locator("input[name=all]").is_checked()
    page.locator("input[name=all]").uncheck()
    page.wait_for_url(lambda url: "/speakers/" in url and "all=1" not in url)
    assert not page.locator("input[name=all]").is_checked()
