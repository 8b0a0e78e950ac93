"""Architecture rules for src/sayso (issue 20), checked on the source with ``ast``.

No import cycles: in a cycle no module can be read, tested or changed on its own (the
trained tiers once called back into ``nlp.py``, and prediction imported helpers from the
training modules). Every import counts, at module level or inside a function: a lazy
import only postpones the dependency.

No function over 80 lines: past that a function does several jobs that deserve names.
"""
from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "sayso"
MAX_LINES = 80


def _modules() -> dict[str, Path]:
    """Every module under src/sayso by dotted name (a package by its ``__init__``)."""
    found = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    """The dotted name a (possibly relative) ``from ... import`` reads from: one dot is the
    module's own package (a package's own ``__init__`` is that package)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imported(module: str, source: str, is_package: bool, modules) -> set[str]:
    """What a module's source imports, anywhere in it. ``from a import b`` imports ``a.b``
    when b is a submodule (that module is what runs), else ``a``."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, node, is_package)
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                names.add(submodule if submodule in modules else target)
    return names


def _with_parents(name: str, importer: str, modules) -> set[str]:
    """Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` too. Not counted: the
    importer's own packages, which Python has begun before the importer runs, so reaching
    a sibling through them adds no dependency (an explicit import of one still counts)."""
    parts = name.split(".")
    mine = importer.split(".")
    own = {".".join(mine[:i]) for i in range(1, len(mine))}
    parents = {".".join(parts[:i]) for i in range(1, len(parts))} - own
    return (parents | {name}) & set(modules)


def import_graph() -> dict[str, set[str]]:
    """Module -> the sayso modules it imports."""
    modules = _modules()
    graph = {}
    for module, path in modules.items():
        source = path.read_text(encoding="utf-8")
        targets = set()
        for name in imported(module, source, path.name == "__init__.py", modules):
            targets |= _with_parents(name, module, modules)
        graph[module] = targets - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def enter(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        work.append((node, iter(sorted(graph.get(node, ())))))

    for root in sorted(graph):
        if root in index:
            continue
        work: list = []
        enter(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None and child not in index:
                enter(child)
            elif child is not None:
                if child in stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = stack[stack.index(node):]
                    del stack[stack.index(node):]
                    if len(component) > 1:
                        found.append(sorted(component))
    return sorted(found)


def long_functions() -> list[str]:
    """Every function or method over MAX_LINES lines, as 'path:line name (lines)'."""
    found = []
    for path in _modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_LINES:
                    where = path.relative_to(SRC).as_posix()
                    found.append(f"{where}:{node.lineno} {node.name} ({length})")
    return sorted(found)


# ------------------------------------------------------------------ the walker itself
def test_every_kind_of_import_is_seen():
    """A lazy import, a submodule named in ``from``, a relative import and the package a
    submodule lives in all count: an empty list of cycles then means something."""
    modules = {"p", "p.a", "p.b", "p.sub", "p.sub.c", "q"}
    source = ("import q\n"
              "from p import b\n"
              "def f():\n"
              "    from .sub.c import name\n"
              "    from . import a\n")
    names = imported("p.x", source, False, modules)
    assert names == {"q", "p.b", "p.sub.c", "p.a"}
    assert _with_parents("p.sub.c", "p.x", modules) == {"p.sub", "p.sub.c"}
    assert _with_parents("p.sub.c", "q", modules) == {"p", "p.sub", "p.sub.c"}
    assert imported("p.sub", "from .. import a\nfrom . import c\n", True, modules) == {"p.a", "p.sub.c"}


def test_the_real_graph_has_known_edges():
    graph = import_graph()
    assert "sayso.extract.rules" in graph["sayso.nlp"]  # imported inside a method
    assert "sayso.extract" in graph["sayso.nlp"]  # the package of that submodule
    assert "sayso.digest.dates" in graph["sayso.digest.lines"]  # from sayso.digest import dates
    assert "sayso.extract.best" in graph["sayso.extract.train_best"]  # training imports prediction


def test_cycles_are_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": {"d"}, "f": {"a"}}
    assert cycles(graph) == [["a", "b", "c"], ["d", "e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


# ------------------------------------------------------------------ the rules
def test_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles among sayso modules:\n" + "\n".join(
        " <-> ".join(component) for component in found)


def test_prediction_never_imports_training():
    """The tiers predict without their training code (which needs the scorer, torch's
    optimisers, the training data): training imports prediction, never the reverse."""
    graph = import_graph()
    training = {"sayso.extract.train", "sayso.extract.train_best"}
    for module in ("sayso.nlp", "sayso.extract.model", "sayso.extract.best", "sayso.extract.rules",
                   "sayso.extract.features", "sayso.extract.encoder", "sayso.extract.subwords"):
        assert not graph[module] & training, module


def test_no_function_over_80_lines():
    found = long_functions()
    assert not found, f"functions over {MAX_LINES} lines:\n" + "\n".join(found)


# ------------------------------------------------------------------ the environment
ENVIRONMENT_READERS = {"sayso.settings"}  # Settings.from_env: the one place


def environment_uses(source: str) -> list[int]:
    """Lines that touch the process environment: ``os.environ``, ``os.getenv``,
    ``os.putenv``, ``os.unsetenv``, or the names imported from ``os`` (``environ``, ``getenv``)."""
    names = {"environ", "getenv", "putenv", "unsetenv", "environb", "getenvb"}
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in names:
            lines.append(node.lineno)
        elif isinstance(node, ast.Name) and node.id in names:
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and \
                any(alias.name in names for alias in node.names):
            lines.append(node.lineno)
    return sorted(lines)


def test_environment_uses_are_found():
    source = ("import os\nfrom os import environ\n"
              "a = os.environ.get('X')\nb = os.getenv('Y')\nos.environ['Z'] = '1'\n"
              "def f(env=None):\n    return env or environ\n")
    assert environment_uses(source) == [2, 3, 4, 5, 7]
    assert environment_uses("import os\npath = os.path.join('a', 'b')\n") == []


def test_only_settings_reads_the_environment():
    """Settings are built once, at the edge (the CLI, the web app), and passed down: a worker
    process or a Dask task on another machine then runs with what the user chose, and no
    module deep inside changes behaviour with a variable nobody passed it."""
    found = []
    for module, path in _modules().items():
        if module in ENVIRONMENT_READERS:
            continue
        for line in environment_uses(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(SRC).as_posix()}:{line}")
    assert not found, "the environment is read outside sayso.settings:\n" + "\n".join(found)
