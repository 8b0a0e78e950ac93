"""``sayso train``: retrain the fast or the best tier, keeping the best checkpoint on dev."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from sayso.cli.common import error, load_model, settings
from sayso.cli.options import Accuracy


def _progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _train_best(train_file: Path, dev_file: Path, output: Path, nlp_loader, **kw) -> dict:
    try:
        from sayso.extract.train_best import train as train_best
    except ImportError as exc:
        error(f"the best tier needs its extra: pip install 'sayso[best]' ({exc})")
        raise typer.Exit(2)
    try:
        return train_best(train_file, dev_file, output, nlp_loader=nlp_loader, progress=_progress, **kw)
    except RuntimeError as exc:
        error(exc)
        raise typer.Exit(2)


def train(
    train_file: Path = typer.Option(..., "--train", help="Training articles, PolNeAR JSONL."),
    dev_file: Path = typer.Option(..., "--dev", help="Dev articles for model selection, PolNeAR JSONL."),
    output: Path = typer.Option(..., "-o", "--output", help="Directory for the trained model."),
    tier: Accuracy = typer.Option(Accuracy.fast, "--tier", help="Which trained tier: 'fast' or 'best'."),
    max_steps: int = typer.Option(100_000, "--max-steps", min=1, help="Stop after this many updates."),
    max_minutes: float = typer.Option(40.0, "--max-minutes", help="Stop after this much time."),
    eval_every: int = typer.Option(300, "--eval-every", min=1, help="Score dev every N updates."),
    patience: int = typer.Option(6, "--patience", min=1, help="Stop after N evaluations without gain."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Use only the first N training articles."),
    seed: int = typer.Option(0, "--seed"),
    cache: Optional[Path] = typer.Option(None, "--cache", help="Where parsed corpora are cached."),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline that parses the data."),
    members: int = typer.Option(2, "--members", min=1, max=2,
                                help="fast tier: taggers averaged (1: the CNN alone; 2: CNN and CNN+BiLSTM, as shipped)."),
    epochs: int = typer.Option(10, "--epochs", min=1, help="best tier: passes over the training windows."),
    device: Optional[str] = typer.Option(None, "--device", help="best tier: torch device (default: cuda if present)."),
) -> None:
    """Train the fast or best tier on PolNeAR-shaped data, keeping the best checkpoint on dev."""
    if tier is Accuracy.rules:
        error("the rules tier is not trained: choose --tier fast or --tier best")
        raise typer.Exit(2)
    for f in (train_file, dev_file):
        if not f.is_file():
            error(f"{f}: no such file")
            raise typer.Exit(2)
    run = settings(model=model, accuracy=Accuracy.rules)  # training parses with the rules attached
    load_model(run)  # fail early, with the usual message, when the parser is missing
    cache = cache or (Path(run.train_cache) if run.train_cache else None)

    def nlp_loader():
        return load_model(run)

    if tier is Accuracy.best:
        result = _train_best(train_file, dev_file, output, nlp_loader, cache_dir=cache, limit=limit,
                             device=device, epochs=epochs, max_minutes=max_minutes,
                             max_steps=max_steps, seed=seed)
        print(json.dumps(result))
        return
    from sayso.extract.train import MEMBERS, train_ensemble

    result = train_ensemble(
        train_file, dev_file, output, members=MEMBERS[:members], max_steps=max_steps, max_minutes=max_minutes,
        eval_every=eval_every, patience=patience, limit=limit, seed=seed, cache_dir=cache,
        nlp_loader=nlp_loader, progress=_progress,
    )
    print(json.dumps(result))
