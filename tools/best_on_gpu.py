#!/usr/bin/env python3
"""Fine-tune the best tier's encoder on a lent GPU machine in one call, and bring it back.

A session whose task is lent a device machine gets about 15 minutes of it, its start
included, and one command may run 10; the machine starts bare, reaches no network, takes the
working tree and up to 64 MiB of carried files, and sends back at most 8 files of 16 MiB. So
the GPU does only the fitting; everything that needs spaCy or PolNeAR happens here:

    python tools/best_on_gpu.py pack                      # here, ~3 min: .device/base, .device/windows.npz
    python3 tools/best_on_gpu.py fit --minutes 7          # there, carrying .device (torch is on the machine)
    python tools/best_on_gpu.py unpack FILES_AT -o src/sayso/data/model-best   # here
    python -m sayso.extract.train_best mix --model src/sayso/data/model-best \\
        --dev ../shared/data/polnear/dev.jsonl            # here: the scorer decides, and the fast tier's share
    python bench/calibration.py --fit                     # here, if the model ships

``fit`` tries the settings in ``SETTINGS`` in turn (each with its own epochs, learning rate
and seed) while the time lasts, keeps the one with the best dev token F1, and writes it into
``$OUT`` (or ``--out``) as its config, tokenizer and weights in parts small enough to come
back, with ``runs.json`` saying what each setting reached. ``.device/`` is git-ignored.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HERE = REPO / ".device"
PART = 15 * 1024 * 1024          # under the 16 MiB a returned file may have
WEIGHTS = "weights.safetensors"
# (epochs, learning rate, seed): the CPU runs stopped at 4-5 epochs of lr 1e-4 (docs/accuracy.md)
SETTINGS = ((10, 1e-4, 0), (10, 8e-5, 0), (10, 1.5e-4, 0), (16, 1e-4, 1), (10, 5e-5, 0), (10, 1e-4, 2))


def pack(train: Path, dev: Path, folder: Path = HERE) -> None:
    from sayso.extract.train_best import build_base, prepare_file

    base = build_base(folder / "base")
    prepare_file(train, dev, base, folder / "windows.npz")


def split_file(path: Path, out: Path, size: int = PART) -> list[Path]:
    """``path`` as ``NAME.partN`` files of at most ``size`` bytes in ``out``."""
    parts = []
    with path.open("rb") as f:
        while chunk := f.read(size):
            part = out / f"{path.name}.part{len(parts)}"
            part.write_bytes(chunk)
            parts.append(part)
    return parts


def join_parts(folder: Path, name: str, out: Path) -> Path:
    parts = sorted(folder.glob(f"{name}.part*"), key=lambda p: int(p.suffix[len(".part"):]))
    if not parts:
        raise SystemExit(f"{folder}: no {name}.part* files")
    with (out / name).open("wb") as f:
        for p in parts:
            f.write(p.read_bytes())
    return out / name


def fit_all(folder: Path, out: Path, minutes: float, settings=SETTINGS, limit: int | None = None) -> dict:
    """Each setting in turn while the time lasts; the best model, split, in ``out``."""
    sys.path.insert(0, str(REPO / "src"))
    from sayso.extract.train_best import fit

    deadline = time.time() + 60 * minutes
    runs, best = [], None
    for i, (epochs, lr, seed) in enumerate(settings):
        left = (deadline - time.time()) / 60
        if left < 0.5:
            break
        model = Path(tempfile.mkdtemp(prefix=f"best_{i}_"))
        r = fit(folder / "windows.npz", folder / "base", model, epochs=epochs, lr=lr, seed=seed,
                max_minutes=left, limit=limit, progress=lambda m: print(m, flush=True))
        runs.append({"epochs": epochs, "lr": lr, "seed": seed, "model": str(model), **r})
        if best is None or r["dev_token_f1"] > best[0]:
            best = (r["dev_token_f1"], model)
    if best is None:
        raise SystemExit("no time for a single setting")
    for name in ("config.json", "tokenizer.json"):
        shutil.copy(best[1] / name, out / name)
    split_file(best[1] / WEIGHTS, out)
    summary = {"best": runs[[r["model"] for r in runs].index(str(best[1]))], "runs": runs}
    for r in runs:
        shutil.rmtree(r["model"], ignore_errors=True)
    (out / "runs.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def unpack(files: Path, output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json"):
        shutil.copy(files / name, output / name)
    join_parts(files, WEIGHTS, output)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="tools/best_on_gpu.py", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack", help="base weights and training windows into .device/ (here)")
    p.add_argument("--train", type=Path, default=REPO.parent / "shared/data/polnear/train.jsonl")
    p.add_argument("--dev", type=Path, default=REPO.parent / "shared/data/polnear/dev.jsonl")
    f = sub.add_parser("fit", help="fine-tune with each setting while the time lasts (on the GPU machine)")
    f.add_argument("--minutes", type=float, default=7.0)
    f.add_argument("--out", type=Path, default=os.environ.get("OUT"))
    f.add_argument("--limit", type=int, help="the first N windows only (a smoke test)")
    u = sub.add_parser("unpack", help="the returned files as a model directory (here)")
    u.add_argument("files", type=Path)
    u.add_argument("-o", "--output", type=Path, required=True)
    a = ap.parse_args(argv)
    if a.cmd == "pack":
        pack(a.train, a.dev)
    elif a.cmd == "fit":
        if a.out is None:
            ap.error("fit needs --out or $OUT")
        print(json.dumps(fit_all(HERE, a.out, a.minutes, limit=a.limit), indent=1))
    else:
        unpack(a.files, a.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
