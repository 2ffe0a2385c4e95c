#!/usr/bin/env bash
# Runs every test of the workspace: unit, integration, doc and conformance tests,
# then the third-party SCIM checker against the example server (when present).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --all-features --all-targets
cargo test --workspace --all-features --doc

if [[ -x scripts/scim2-tester.sh ]]; then
    scripts/scim2-tester.sh
fi
