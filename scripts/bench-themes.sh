#!/usr/bin/env bash
# Theme tagging throughput: matching step alone, full tag (analysis + matching), and index
# build with and without tagging, side by side in one run. See benches/themes.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench themes "$@"
