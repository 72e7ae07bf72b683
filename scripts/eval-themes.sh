#!/usr/bin/env bash
# Theme tagging quality: per-theme precision, recall and F1 of the default taxonomy on the
# labelled development set and on the held-out set (written separately, never used to tune).
# Usage: scripts/eval-themes.sh [--themes FILE] [--mistakes]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/shoptalk
for set in dev heldout; do
  echo "## $set set (tests/fixtures/themes/$set.jsonl)"
  "$bin" themes eval "tests/fixtures/themes/$set.jsonl" "$@"
  echo
done
