#!/usr/bin/env python3
"""Distil spaCy's NER into sayso's entity tagger (``sayso.entities``).

    python tools/train_entities.py [--train ../shared/data/polnear/train.jsonl]
                                   [--dev ../shared/data/polnear/dev.jsonl] [--epochs 8]

The teacher is the default pipeline's own NER; the student reads that NER's own embedding
of the tokens and replaces its transition decoder. The texts of PolNeAR train are the
training set (no gold is read, only text), dev measures agreement with the teacher after
each epoch, and the epoch that agrees best is written to ``src/sayso/data/entities_en``
(about 4 minutes for the teacher's pass and 30 seconds an epoch on one core).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy
from thinc.api import Adam, fix_random_seed
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
OUT = ROOT / "src" / "sayso" / "data" / "entities_en"


def teacher(nlp, texts, desc):
    """Per text, NER's embedding of its tokens, their NORM hashes and the teacher's BILUO
    labels."""
    from sayso.entities import biluo, embed, embedder, norms

    tok2vec, out = embedder(nlp), []
    for doc in tqdm(nlp.pipe(texts, batch_size=16), total=len(texts), desc=desc):
        out.append((embed(tok2vec, [doc])[0], norms(doc), biluo([(t.ent_iob_, t.ent_type_) for t in doc])))
    return out


def agreement(model, data) -> tuple[float, float]:
    """Entity F1 against the teacher: all entities, and people alone."""
    from sayso.entities import spans

    counts = {"all": [0, 0, 0], "PERSON": [0, 0, 0]}
    found = model.entities([x for x, _, _ in data], [n for _, n, _ in data])
    for (_, _, gold), pred in zip(data, found):
        g, p = set(spans(gold)), set(pred)
        for key, keep in (("all", lambda e: True), ("PERSON", lambda e: e[2] == "PERSON")):
            gk, pk = {e for e in g if keep(e)}, {e for e in p if keep(e)}
            c = counts[key]
            c[0] += len(gk & pk); c[1] += len(pk - gk); c[2] += len(gk - pk)
    return tuple(2 * tp / max(2 * tp + fp + fn, 1) for tp, fp, fn in counts.values())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", type=Path, default=SHARED / "data" / "polnear" / "train.jsonl")
    ap.add_argument("--dev", type=Path, default=SHARED / "data" / "polnear" / "dev.jsonl")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--window", type=int, default=1)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--lex-rows", type=int, default=20000)
    ap.add_argument("--lex-width", type=int, default=32)
    ap.add_argument("--output", type=Path, default=OUT)
    args = ap.parse_args(argv)
    import spacy

    from sayso.entities import EntityModel, Transitions, build_model, pipeline_id, windows
    from sayso.settings import DEFAULT_MODEL

    fix_random_seed(0)
    nlp = spacy.load(DEFAULT_MODEL, exclude=["attribute_ruler", "lemmatizer", "senter"])
    read = lambda p: [json.loads(line)["text"] for line in p.open(encoding="utf-8") if line.strip()]
    train, dev = teacher(nlp, read(args.train), "train"), teacher(nlp, read(args.dev), "dev")
    labels = tuple(sorted({lab for _, _, labs in train for lab in labs}))
    index = {lab: i for i, lab in enumerate(labels)}
    x = numpy.vstack([windows(t, args.window) for t, _, _ in train])
    ids = numpy.concatenate([n for _, n, _ in train]).reshape(-1, 1)
    y = numpy.concatenate([[index[lab] for lab in labs] for _, _, labs in train])
    model = build_model(len(labels), args.window, args.hidden, args.lex_rows, args.lex_width)
    model.initialize(X=(x[:64], ids[:64]), Y=numpy.eye(len(labels), dtype=numpy.float32)[y[:64]])
    width = train[0][0].shape[1]
    student = EntityModel(model, labels, args.window, pipeline_id(nlp), Transitions.of(labels), width)
    opt, best, rng = Adam(0.001), -1.0, numpy.random.default_rng(0)
    for epoch in range(args.epochs):
        start = time.time()
        order = rng.permutation(len(x))
        for i in range(0, len(x), 256):
            batch = order[i:i + 256]
            probs, backprop = model.begin_update((x[batch], ids[batch]))
            grad = probs.copy()
            grad[numpy.arange(len(batch)), y[batch]] -= 1
            backprop(grad / len(batch))
            model.finish_update(opt)
        f_all, f_person = agreement(student, dev)
        print(f"epoch {epoch + 1}: agreement with the teacher on dev: entities {100 * f_all:.1f}, "
              f"people {100 * f_person:.1f} ({time.time() - start:.0f} s)", file=sys.stderr)
        if f_all > best:
            best = f_all
            student.save(args.output)
    print(f"wrote {args.output} (entity agreement {100 * best:.1f})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
