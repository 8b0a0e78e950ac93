"""The HTTP API fuzzed with schemathesis against its own OpenAPI schema: generated requests
(valid and invalid) must never get a 500, and every answer must match the schema (status
codes, content types, bodies). Bounded so that the module takes well under a minute."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402

from tests.web.conftest import TOKEN  # noqa: E402

MAX_EXAMPLES = 50


@pytest.fixture(scope="module")
def api_schema(make_app, sqlite_archive, tmp_path_factory):
    """The app over its own copy of the sample archive (the fuzzer stores articles)."""
    src = Path(sqlite_archive.removeprefix("sqlite:///"))
    dst = tmp_path_factory.mktemp("fuzz") / "sayso.db"
    shutil.copy(src, dst)
    app = make_app(f"sqlite:///{dst}")
    return schemathesis.openapi.from_asgi("/openapi.json", app)


OPERATIONS = [
    ("POST", "/api/extract"), ("GET", "/api/statements"), ("GET", "/api/speakers"),
    ("GET", "/api/speakers/{speaker_id}"), ("GET", "/api/articles/{article_id}"), ("POST", "/api/articles"),
    ("GET", "/api/digest"), ("GET", "/api/graph"),
]
# Invalid data can be made for the operations with constrained inputs (a free-text path
# parameter has no invalid value).
NEGATIVE = {("POST", "/api/extract"), ("GET", "/api/statements"), ("GET", "/api/speakers"),
            ("POST", "/api/articles"), ("GET", "/api/digest")}
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


def test_every_operation_is_fuzzed(api_schema):
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


# (schemathesis' own pytest plugin does not run under this pytest yet: the strategies are
# driven by hypothesis directly, one test per operation and generation mode)
@pytest.mark.parametrize("method,path,mode", [
    (m, p, mode) for m, p in OPERATIONS for mode in MODES
    if mode is GenerationMode.POSITIVE or (m, p) in NEGATIVE
], ids=lambda v: v.value if isinstance(v, GenerationMode) else v)
def test_api_never_fails(api_schema, method, path, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"})

    run()
