"""One frozen Settings, built from flags over the environment at the edge (issue 20)."""
from __future__ import annotations

import os
import pickle

import pytest
from typer.testing import CliRunner

from sayso.settings import DEFAULT_ACCURACY, DEFAULT_MODEL, Settings


def test_flags_win_over_the_environment_and_none_is_no_flag():
    env = {"SAYSO_MODEL": "env_model", "SAYSO_ACCURACY": "rules", "SAYSO_TIME_LIMIT": "7",
           "SAYSO_MAX_BYTES": "5000", "SAYSO_ALLOWED_HOSTS": "a.example b.example", "SAYSO_TOKEN": ""}
    s = Settings.from_env(env)
    assert (s.model, s.accuracy, s.time_limit, s.max_bytes) == ("env_model", "rules", 7.0, 5000)
    assert s.allowed_hosts == ("a.example", "b.example") and s.token is None
    s = Settings.from_env(env, model="flag_model", accuracy=None, time_limit=0)
    assert (s.model, s.accuracy, s.time_limit) == ("flag_model", "rules", 0)
    assert Settings.from_env({}) == Settings()
    assert (Settings().model, Settings().accuracy) == (DEFAULT_MODEL, DEFAULT_ACCURACY)


def test_a_malformed_variable_names_itself():
    for env, words in (({"SAYSO_ACCURACY": "perfect"}, "SAYSO_ACCURACY must be one of"),
                       ({"SAYSO_TIME_LIMIT": "soon"}, "SAYSO_TIME_LIMIT must be a number"),
                       ({"SAYSO_MAX_BYTES": "1e9"}, "SAYSO_MAX_BYTES must be a whole number")):
        with pytest.raises(ValueError, match=words):
            Settings.from_env(env)
    with pytest.raises(TypeError):
        Settings.from_env({}, no_such_setting=1)


def test_settings_are_frozen_and_travel_to_other_processes():
    s = Settings.from_env({"SAYSO_FAST_MODEL": "/models/fast"}, accuracy="best")
    with pytest.raises(AttributeError):
        s.accuracy = "rules"
    assert pickle.loads(pickle.dumps(s)) == s
    assert s.tier_stamp() == "best|SAYSO_FAST_MODEL=/models/fast"


def test_the_cli_never_writes_the_environment(tmp_path):
    """`ingest --accuracy` once set SAYSO_ACCURACY for its workers; the settings go to them
    instead."""
    from sayso.cli import app

    (tmp_path / "a.txt").write_text("The mayor said the bridge would close.", encoding="utf-8")
    before = dict(os.environ)
    res = CliRunner().invoke(app, ["ingest", str(tmp_path), "--db", str(tmp_path / "x.db"), "-w", "0",
                                   "--accuracy", "rules"])
    assert res.exit_code == 0, res.output
    assert dict(os.environ) == before


def test_a_bad_variable_is_one_error_line_before_anything_runs(tmp_path):
    from sayso.cli import app

    (tmp_path / "a.txt").write_text("The mayor said so.", encoding="utf-8")
    res = CliRunner().invoke(app, ["extract", str(tmp_path / "a.txt")], env={"SAYSO_ACCURACY": "perfect"})
    assert res.exit_code == 2 and res.stderr.startswith("error: SAYSO_ACCURACY must be one of")
