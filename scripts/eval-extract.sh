#!/usr/bin/env bash
# Score `shoptalk extract` on the shared extraction sets and time it on one core.
# Usage: scripts/eval-extract.sh SHARED_DIR
#   SHARED_DIR holds eval/extraction/{en,zh} and eval/score_extraction.py (../shared next to the repo).
# Prints F1, precision and recall per set, and pages per second (best of three runs, one worker
# thread, pinned to one core when taskset exists; reading and gunzipping the pages included).
set -euo pipefail
shared=${1:?usage: scripts/eval-extract.sh SHARED_DIR}
eval_dir="$(cd "$shared" && pwd)/eval"
[ -f "$eval_dir/score_extraction.py" ] || { echo "no $eval_dir/score_extraction.py" >&2; exit 2; }
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/shoptalk"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
printf '%-4s %-6s %-6s %-9s %-7s %s\n' set pages F1 precision recall pages/s
for set in en zh; do
  dir="$eval_dir/extraction/$set"
  pages=$(find "$dir/html" -type f | wc -l)
  best=""
  for _ in 1 2 3; do
    start=$(date +%s.%N)
    "${pin[@]}" "$bin" -q extract --threads 1 "$dir/html" > "$out/$set.jsonl"
    end=$(date +%s.%N)
    best=$(python3 -c "t=$end-$start; b='$best'; print(min(t, float(b)) if b else t)")
  done
  tokens=words
  [ "$set" = zh ] && tokens=cjk
  score=$(python3 "$eval_dir/score_extraction.py" "$dir/ground-truth.json" "$out/$set.jsonl" --tokens "$tokens")
  p=$(sed -n 's/.*precision=\([0-9.]*\).*/\1/p' <<<"$score")
  r=$(sed -n 's/.*recall=\([0-9.]*\).*/\1/p' <<<"$score")
  f=$(sed -n 's/.*F1=\([0-9.]*\).*/\1/p' <<<"$score")
  rate=$(python3 -c "print(round($pages / $best))")
  printf '%-4s %-6s %-6s %-9s %-7s %s\n' "$set" "$pages" "$f" "$p" "$r" "$rate"
done
