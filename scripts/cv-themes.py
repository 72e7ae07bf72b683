#!/usr/bin/env python3
"""Cross-validate the learned theme model on the development sets (never the held-out set).

For each fold of the labelled dev*.jsonl texts, trains a model on the other folds with
`shoptalk themes train` and scores the fold with `shoptalk themes eval --model`, for each
regularisation strength C and model threshold asked for; prints the mean macro-F1 per setting
beside the dictionary alone. Use it to choose settings before retraining the built-in model:
  shoptalk themes train tests/fixtures/themes/dev*.jsonl --out src/themes/model.bin

Usage: scripts/cv-themes.py [--folds 5] [--c 10] [--c 3] [--threshold 0.5] [--threshold 0.6]
                            [--veto 0.15] [--veto 0.2] [--veto-long 0.4] [--long-tokens 60]
Needs a release build (cargo build --release). Python standard library only.
"""
import argparse
import json
import re
import statistics
import subprocess
import tempfile
import zlib
from pathlib import Path

repo = Path(__file__).resolve().parent.parent
binary = repo / "target/release/shoptalk"
ap = argparse.ArgumentParser()
ap.add_argument("--folds", type=int, default=5)
ap.add_argument("--c", type=float, action="append")
ap.add_argument("--threshold", type=float, action="append")
ap.add_argument("--veto", type=float, action="append")
ap.add_argument("--veto-long", type=float, action="append")
ap.add_argument("--long-tokens", type=int, action="append")
ap.add_argument("--iterations", type=int, default=400)
args = ap.parse_args()
cs = args.c or [10.0]
thresholds = args.threshold or [0.5, 0.6, 0.7]
vetoes = args.veto or [None]
longs = [(v, n) for v in args.veto_long or [None] for n in args.long_tokens or [None]]
settings = [(t, v, l) for t in thresholds for v in vetoes for l in longs]

lines = [l for f in sorted((repo / "tests/fixtures/themes").glob("dev*.jsonl"))
         for l in f.read_text(encoding="utf-8").splitlines() if l.strip()]
fold_of = lambda l: zlib.crc32(json.loads(l)["id"].encode()) % args.folds
default = subprocess.run([binary, "themes", "default"], capture_output=True, text=True,
                         check=True).stdout


def macro(out):
    return float(re.search(r"\*\*macro\*\*.*\*\*([0-9.]+)\*\*", out).group(1))


def run(*a):
    return subprocess.run([binary, "-q", *map(str, a)], capture_output=True, text=True,
                          check=True).stdout


scores = {}
with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    taxonomies = {}
    for t, v, (vl, n) in settings + [("none", None, (None, None))]:
        p = tmp / f"tax-{t}-{v}-{vl}-{n}.toml"
        text = default.replace('model = "builtin"', 'model = "none"') if t == "none" else \
            re.sub(r"model_threshold = [0-9.]+", f"model_threshold = {t}", default)
        if v is not None:
            text = re.sub(r"model_veto = [0-9.]+", f"model_veto = {v}", text)
        if vl is not None:
            text = re.sub(r"model_veto_long = [0-9.]+", f"model_veto_long = {vl}", text)
        if n is not None:
            text = re.sub(r"model_veto_long_tokens = [0-9]+", f"model_veto_long_tokens = {n}",
                          text)
        p.write_text(text, encoding="utf-8")
        taxonomies[t, v, (vl, n)] = p
    for k in range(args.folds):
        train, test = tmp / "train.jsonl", tmp / "test.jsonl"
        train.write_text("\n".join(l for l in lines if fold_of(l) != k) + "\n", encoding="utf-8")
        test.write_text("\n".join(l for l in lines if fold_of(l) == k) + "\n", encoding="utf-8")
        scores.setdefault("dictionary alone", []).append(
            macro(run("themes", "eval", test, "--themes", taxonomies["none", None, (None, None)])))
        for c in cs:
            model = tmp / "model.bin"
            run("themes", "train", train, "--out", model, "--c", c, "--iterations",
                args.iterations)
            for t, v, (vl, n) in settings:
                name = f"C={c:g} threshold={t:g}" + ("" if v is None else f" veto={v:g}") + \
                    ("" if vl is None else f" veto_long={vl:g}") + \
                    ("" if n is None else f" long_tokens={n}")
                scores.setdefault(name, []).append(macro(run(
                    "themes", "eval", test, "--themes", taxonomies[t, v, (vl, n)], "--model",
                    model)))
print(f"{len(lines)} texts, {args.folds} folds: mean macro-F1 (min-max)")
for name, s in scores.items():
    print(f"{name:<64} {statistics.mean(s):.3f} ({min(s):.3f}-{max(s):.3f})")
