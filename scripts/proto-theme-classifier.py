#!/usr/bin/env python3
"""Experiment, not part of the product: would a learned classifier beside the theme dictionary
generalise better than more dictionary entries?

Trains one logistic regression per theme on character 1-3-grams (tf-idf) plus the dictionary's
own weighted hits (from `shoptalk themes tag --explain`), on the development sets except the
test set, and scores the test set four ways: dictionary only, model only, model with
dictionary features, and dictionary OR model (model probability above a threshold).

Needs scikit-learn (`pip install scikit-learn`) and a release build (`cargo build --release`).
Usage: scripts/proto-theme-classifier.py [SET]   (a name in tests/fixtures/themes; default
dev9. Never point it at a held-out set that has not been scored yet.)
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

repo = Path(__file__).resolve().parent.parent
fx = repo / "tests/fixtures/themes"
test_set = fx / f"{sys.argv[1] if len(sys.argv) > 1 else 'dev9'}.jsonl"
binary = repo / "target/release/shoptalk"
THEMES = ["logistics", "counterfeit", "after_sales", "price", "quality", "payment",
          "work_culture", "consumer_habits", "livestream", "brand"]


def load(files):
    items = [json.loads(l) for f in files for l in open(f, encoding="utf-8") if l.strip()]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as t:
        for it in items:
            t.write(json.dumps({"id": it["id"], "text": it["text"]}, ensure_ascii=False) + "\n")
    out = subprocess.run([binary, "-q", "themes", "tag", "--jsonl", "--explain", t.name],
                         capture_output=True, text=True, check=True).stdout
    tags = {o["id"]: o for o in map(json.loads, out.splitlines())}
    return items, tags


def dict_features(items, tags):
    x = np.zeros((len(items), 2 * len(THEMES)))
    for i, it in enumerate(items):
        for j, t in enumerate(THEMES):
            s = tags[it["id"]].get("scores", {}).get(t)
            if s:
                x[i, j] = min(s["weighted"], 3.0)
                x[i, len(THEMES) + j] = float(s["assigned"])
    return x


def f1(pred, gold):
    tp, fp, fn = (pred & gold).sum(), (pred & ~gold).sum(), (~pred & gold).sum()
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


train, train_tags = load(sorted(p for p in fx.glob("dev*.jsonl") if p != test_set))
test, test_tags = load([test_set])
vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
xtr = vec.fit_transform([x["text"].lower() for x in train])
xte = vec.transform([x["text"].lower() for x in test])
dtr, dte = dict_features(train, train_tags), dict_features(test, test_tags)
print(f"train {len(train)} texts, held-out {len(test)} texts")
for mode in ["dictionary", "model", "model+dict features", "dictionary OR model"]:
    for thr in [0.5] if mode == "dictionary" else [0.4, 0.5, 0.6, 0.7]:
        scores = []
        for j, t in enumerate(THEMES):
            ytr = np.array([t in x["themes"] for x in train])
            yte = np.array([t in x["themes"] for x in test])
            by_dict = dte[:, len(THEMES) + j] > 0
            if mode == "dictionary":
                pred = by_dict
            else:
                a, b = (hstack([xtr, csr_matrix(dtr)]), hstack([xte, csr_matrix(dte)])) \
                    if mode == "model+dict features" else (xtr, xte)
                m = LogisticRegression(C=10, max_iter=2000, class_weight="balanced").fit(a, ytr)
                pred = m.predict_proba(b)[:, 1] > thr
                if mode == "dictionary OR model":
                    pred |= by_dict
            scores.append(f1(pred, yte))
        per = " ".join(f"{t[:5]}={s:.2f}" for t, s in zip(THEMES, scores))
        print(f"{mode:<22} p>{thr:.1f}  macro-F1 {np.mean(scores):.3f}  {per}")
