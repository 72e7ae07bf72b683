#!/bin/sh
# Export speed on a generated 1,000,000-document index (cached under target/), median of 5.
set -e
cd "$(dirname "$0")/.."
cargo bench --bench export
