#!/usr/bin/env bash
# Index throughput: raw jieba-rs, the shoptalk analyzer, the tantivy-jieba bridge and full
# index builds, single- and multi-threaded, side by side in one run on a generated corpus of
# at least 50 MB (BENCH_MB). Prints a Markdown table (also in target/tmp/bench-index/results.md).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench index "$@"
