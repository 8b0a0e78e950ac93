"""Nobody gets in: every write needs the token (compared in constant time), every search
parameter takes injection strings as plain values, SQL is never built by string
formatting, and every response carries the security headers with a CSP that needs no
inline script."""
from __future__ import annotations

import ast
import hmac
import re
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from starlette.routing import Route

from sayso.store.schema import TABLES
from tests.web.conftest import TOKEN

SRC = Path(__file__).resolve().parents[2] / "src" / "sayso"
TEMPLATES = SRC / "web" / "templates"

# POST routes that write nothing by themselves (and why); every other write needs the token.
NOT_WRITES = {
    "/api/extract": "analyses the text sent and stores nothing",
    "/analyse": "stores only when 'store' is ticked, which needs the token (tested below)",
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
BODY = {"text": "\"The dam will hold,\" engineer Lisa Moor said on Friday.", "id": "dam"}


@pytest.fixture
def writable(client_for, fresh_url):
    return client_for(fresh_url)


def all_routes(routes):
    """Every route of the app, through the routers it includes."""
    for r in routes:
        if isinstance(r, Route):
            yield r
        elif hasattr(r, "original_router"):  # an included router (FastAPI >= 0.16x)
            yield from all_routes(r.original_router.routes)


def write_routes(app) -> list[tuple[str, str]]:
    return sorted((m, r.path) for r in all_routes(app.routes) for m in (r.methods or ()) if m in WRITE_METHODS)


def n_rows(client) -> dict[str, int]:
    with client.app.state.services.engine.connect() as c:
        return {t.name: c.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in TABLES}


# ------------------------------------------------------------------ authentication
def test_every_write_route_refuses_requests_without_the_right_token(writable):
    routes = write_routes(writable.app)
    assert ("POST", "/api/articles") in routes
    for method, path in routes:
        if path in NOT_WRITES:
            continue
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                        {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": f"Bearer {TOKEN[:-1]}"}):
            r = writable.request(method, concrete, json=BODY, headers=headers)
            assert r.status_code in (401, 403), (method, path, headers, r.status_code)
    assert sum(n_rows(writable).values()) == 0


def test_analyse_stores_only_with_the_token(writable):
    for token in ("", "wrong", TOKEN + " "):
        r = writable.post("/analyse", data={"text": BODY["text"], "store": "on", "token": token})
        assert r.status_code in (401, 403), token
    assert sum(n_rows(writable).values()) == 0
    r = writable.post("/analyse", data={"text": BODY["text"], "store": "on", "token": TOKEN}, follow_redirects=False)
    assert r.status_code == 303 and n_rows(writable)["articles"] == 1


def test_writes_are_refused_when_the_server_has_no_token(client_for, fresh_url):
    c = client_for(fresh_url, token=None)
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer None"}):
        assert c.post("/api/articles", json=BODY, headers=headers).status_code == 403
    assert c.post("/analyse", data={"text": BODY["text"], "store": "on", "token": ""}).status_code == 403


def test_tokens_are_compared_in_constant_time(writable, monkeypatch):
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr("sayso.web.services.hmac.compare_digest", spy)
    assert writable.post("/api/articles", json=BODY, headers={"Authorization": "Bearer guess"}).status_code == 401
    writable.post("/analyse", data={"text": BODY["text"], "store": "on", "token": "guess2"})
    assert [a for a, _ in calls] == [b"guess", b"guess2"]
    assert all(b == TOKEN.encode() for _, b in calls)
    source = (SRC / "web" / "app.py").read_text("utf-8")
    assert not re.search(r"(presented|token)\s*[!=]=\s*(self\.)?token", source), "a token compared with =="


def test_odd_tokens_are_refused_not_errors(writable):
    for value in ("Bearer " + "a" * 10_000, "Bearer t\u00f6k\u00e9n".encode("latin-1"), "Bearer \x00", "Bearer"):
        r = writable.post("/api/articles", json=BODY, headers={"Authorization": value})
        assert r.status_code in (401, 403), (value[:20], r.status_code)


# ------------------------------------------------------------------ injection
INJECTIONS = [
    "' OR '1'='1", "'; DROP TABLE articles; --", '" OR ""="', "1) OR (1=1", "%", "_", "\\", "%' --",
    "*", "statements_fts", "content MATCH 'a'", "NEAR(a b)", "a OR b OR", "-", '"unbalanced',
    "') UNION SELECT id, text FROM articles --", "1; SELECT pg_sleep(5)", "$1", ":name", "?",
    "\u0000", "x" * 600, "\u202e\u200b", "<script>alert(1)</script>", "../../etc/passwd",
]
PAGE_PARAMS = {"/": ["q", "speaker", "org", "since", "until", "kind", "page"], "/speakers": ["q", "page"],
               "/articles": ["page"]}


def api_string_params(client) -> list[tuple[str, str, str]]:
    """(path, parameter, where) for every string parameter of every GET operation of the API."""
    spec = client.get("/openapi.json").json()
    out = []
    for path, ops in spec["paths"].items():
        op = ops.get("get")
        for p in (op or {}).get("parameters", []):
            schema = p.get("schema", {})
            types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
            if "string" in types:
                out.append((path, p["name"], p["in"]))
    return out


def test_injection_strings_in_every_search_parameter(client_for, archive_url):
    c = client_for(archive_url)
    before = n_rows(c)
    params = api_string_params(c)
    assert {("/api/statements", n, "query") for n in ("q", "speaker", "org", "since", "until", "kind")} <= set(params)
    for path, name, where in params:
        for value in INJECTIONS:
            if where == "path":
                r = c.get(path.replace("{" + name + "}", quote(value, safe="")))
            else:
                r = c.get(path, params={name: value})
            assert r.status_code in (200, 400, 404, 422), (path, name, value, r.status_code, r.text[:200])
            if r.status_code == 200 and name in ("speaker", "org") and "total" in r.json():
                assert r.json()["total"] == 0, (path, name, value)  # nobody is called that
    for path, names in PAGE_PARAMS.items():
        for name in names:
            for value in INJECTIONS:
                r = c.get(path, params={name: value})
                assert r.status_code in (200, 400, 404, 422), (path, name, value, r.status_code)
    for value in INJECTIONS:
        for path in ("/speakers/", "/articles/"):
            assert c.get(path + quote(value, safe="")).status_code in (200, 307, 404, 422)
    assert n_rows(c) == before  # nothing dropped, nothing added


SQL_CALLS = {"text", "execute", "exec_driver_sql", "executescript", "executemany", "literal_column", "op"}
# Exceptions: (file relative to src/sayso, the formatted string's first characters, why it is safe).
ALLOWED: list[tuple[str, str, str]] = []


def formatted(node: ast.AST) -> bool:
    """An f-string, a %-format, a .format() call or a concatenation with a non-literal."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return not (isinstance(node.left, ast.Constant) and isinstance(node.right, ast.Constant))
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format")


def test_no_sql_is_built_by_string_formatting():
    """Every statement is built with SQLAlchemy's expression language or a constant string;
    values travel as bound parameters."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        assigned = {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) and formatted(n.value)
                    for t in n.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in SQL_CALLS or not node.args:
                continue
            arg = node.args[0]
            if formatted(arg) or (isinstance(arg, ast.Name) and arg.id in assigned):
                rel = path.relative_to(SRC).as_posix()
                snippet = ast.get_source_segment(path.read_text("utf-8"), arg) or ""
                if not any(rel == f and snippet.startswith(s) for f, s, _ in ALLOWED):
                    found.append(f"{rel}:{node.lineno}: {snippet[:80]}")
    assert not found, "SQL built by string formatting:\n" + "\n".join(found)


def test_the_sql_scan_catches_what_it_looks_for(tmp_path):
    bad = ast.parse('conn.execute(sa.text(f"SELECT * FROM t WHERE a = {x}"))\n'
                    'conn.exec_driver_sql("DELETE FROM t WHERE a = %s" % x)\n'
                    'conn.execute("SELECT " + col)\n')
    calls = [n for n in ast.walk(bad) if isinstance(n, ast.Call) and n.args and formatted(n.args[0])]
    assert len(calls) == 3


# ------------------------------------------------------------------ headers and limits
def test_security_headers_on_every_kind_of_answer(writable):
    answers = [
        writable.get("/"), writable.get("/docs"), writable.get("/openapi.json"), writable.get("/static/sayso.js"),
        writable.get("/nope"), writable.get("/api/articles/nope"), writable.post("/api/articles", json=BODY),
        writable.get("/api/statements", params={"limit": 1000}), writable.delete("/api/articles"),
        writable.post("/api/extract", content=b"x" * 2_100_000, headers={"content-type": "application/json"}),
    ]
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 404, 404, 401, 422, 405, 413]
    for r in answers:
        csp = r.headers["content-security-policy"]
        directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";"))
        assert directives["script-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"


def test_templates_need_no_inline_script_or_style():
    for t in sorted(TEMPLATES.glob("*.html")):
        html = t.read_text("utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"{t.name}: inline script {tag}"
        assert not re.search(r"\son[a-z]+\s*=", html), f"{t.name}: inline event handler"
        assert not re.search(r"\sstyle\s*=", html), f"{t.name}: inline style attribute"
        assert "javascript:" not in html, t.name


def test_size_limits_on_parameters(writable):
    assert writable.get("/api/statements", params={"q": "a" * 501}).status_code == 422
    assert writable.get("/api/statements", params={"offset": 10_001}).status_code == 422
    assert writable.get("/api/speakers", params={"limit": 101}).status_code == 422
    assert writable.get("/", params={"q": "a" * 20_000, "page": 10**9}).status_code == 200  # clamped
    r = writable.post("/api/extract", json={"text": "a " * 800_000})
    assert r.status_code in (413, 422)


def test_text_that_is_not_unicode_is_a_422(writable):
    body = b'{"text": "The mayor said \\ud800 that it was fine."}'
    for path, headers in (("/api/extract", {}), ("/api/articles", {"Authorization": f"Bearer {TOKEN}"})):
        r = writable.post(path, content=body, headers={"content-type": "application/json", **headers})
        assert r.status_code == 422 and "text" in r.text, (path, r.status_code, r.text[:200])  # pydantic refuses it
    assert sum(n_rows(writable).values()) == 0
