#!/usr/bin/env python3
"""The best tier's fine-tuning step on a CPU: float32 against bfloat16 autocast, in one run.

    python bench/train_step.py [--batch 16] [--length 256] [--steps 4] [--rounds 2] [--threads N]

Training the encoder without a GPU is slow, and ``train_best.fit`` turns on bfloat16
autocast where the CPU has it (AVX-512 BF16 or AMX; ``train_best.bf16_ok``). This measures
what that buys: the same model, optimiser and batches of random WordPiece windows, timed
step by step in alternating rounds after one warm-up step each; the best round of each mode
is reported, as seconds per step and as the ratio float32 / bfloat16. It needs the best
extra (``pip install 'sayso[best]'``) and builds the base model in a temporary directory.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--length", type=int, default=256)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    try:
        import torch

        from sayso.extract.encoder import load_model
        from sayso.extract.train_best import bf16_ok, build_base
    except ImportError as exc:
        print(f"error: this bench needs the best extra: pip install 'sayso[best]' ({exc})", file=sys.stderr)
        return 2
    if a.threads:
        torch.set_num_threads(a.threads)
    cpu = torch.device("cpu")
    modes = ["float32"] + (["bfloat16"] if bf16_ok(cpu) else [])
    if len(modes) == 1:
        print("note: this CPU has no bfloat16 support; only float32 is measured", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        model = load_model(build_base(Path(tmp) / "base"), strict=False)
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    model.train()
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)
    loss_fn = torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(0)
    shape = (a.batch, a.length)
    ids = torch.randint(1000, 30000, shape, generator=g)
    feats = torch.zeros(shape + (len(model.feature_sizes),), dtype=torch.long)
    labels = torch.randint(0, model.classifier.out_features, shape, generator=g)
    mask = torch.ones(shape, dtype=torch.long)

    def step(mode: str) -> float:
        t = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=mode == "bfloat16"):
            logits = model(ids, mask, feats)
        loss = loss_fn(logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1))
        optim.zero_grad(set_to_none=True)
        loss.backward()
        optim.step()
        return time.perf_counter() - t

    best = {m: float("inf") for m in modes}
    for r in range(a.rounds):
        for mode in (modes if r % 2 == 0 else modes[::-1]):
            step(mode)  # warm-up: kernels for this mode
            best[mode] = min(best[mode], sum(step(mode) for _ in range(a.steps)) / a.steps)
    result = {"threads": torch.get_num_threads(), "batch": a.batch, "length": a.length,
              "seconds_per_step": {m: round(s, 3) for m, s in best.items()}}
    if "bfloat16" in best:
        result["float32_over_bfloat16"] = round(best["float32"] / best["bfloat16"], 2)
    if a.json:
        print(json.dumps(result))
    else:
        print(f"{result['threads']} threads, batches of {a.batch} windows of {a.length} pieces")
        for m, s in result["seconds_per_step"].items():
            print(f"  {m:9s} {s:.2f} s per step")
        if "float32_over_bfloat16" in result:
            print(f"  bfloat16 autocast is {result['float32_over_bfloat16']:.2f}x as fast as float32")
    return 0


if __name__ == "__main__":
    sys.exit(main())
