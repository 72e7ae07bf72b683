#!/usr/bin/env bash
# Theme tagging quality: per-theme precision, recall and F1 of the default taxonomy.
#   dev, dev2, dev3, dev4: labelled development sets the dictionary was tuned on or whose
#     errors were read (dev3 and dev4 were held-out sets first).
#   heldout: written separately by someone who never saw the dictionary or the other sets.
# Usage: scripts/eval-themes.sh [--themes FILE] [--mistakes]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/shoptalk
dir=tests/fixtures/themes
echo "## development sets (dev + dev2 + dev3 + dev4)"
"$bin" themes eval "$dir/dev.jsonl" "$dir/dev2.jsonl" "$dir/dev3.jsonl" "$dir/dev4.jsonl" "$@"
echo
echo "## held-out set"
"$bin" themes eval "$dir/heldout.jsonl" "$@"
