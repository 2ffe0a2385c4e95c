#!/usr/bin/env bash
# Runs every test of the workspace: unit, integration, doc and conformance tests,
# then the third-party SCIM checker against the example server (when present).
set -euo pipefail
cd "$(dirname "$0")/.."

# Headless Chromium and chromedriver for the admin pages' browser tests, when missing.
bash scripts/browser-deps.sh

# Benches are built (and linted) by clippy in CI; running their 100 000-user setups in a
# debug test binary would only cost time.
cargo test --workspace --all-features --lib --bins --tests --examples
cargo test --workspace --all-features --doc

if [[ -x scripts/scim2-tester.sh ]]; then
    scripts/scim2-tester.sh
fi
