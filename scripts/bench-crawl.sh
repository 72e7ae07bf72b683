#!/usr/bin/env bash
# Crawl throughput and peak memory against a fast local server of generated pages, politeness
# off, extraction included. See benches/crawl.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench crawl "$@"
