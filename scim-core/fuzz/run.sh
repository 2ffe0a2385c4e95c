#!/usr/bin/env sh
# Runs every fuzz target for N seconds (default 60), one after the other.
# Not called by CI. Needs cargo-fuzz; works on stable through RUSTC_BOOTSTRAP.
#
#   scim-core/fuzz/run.sh 600            # every target, 10 minutes each
#   scim-core/fuzz/run.sh 60 patch_apply # one target
set -eu
cd "$(dirname "$0")"
seconds="${1:-60}"
shift 2>/dev/null || true
targets="$*"
if [ -z "$targets" ]; then
    targets="$(cargo fuzz list)"
fi
export RUSTC_BOOTSTRAP=1
for target in $targets; do
    echo "== $target: ${seconds}s"
    cargo fuzz run "$target" -- -max_total_time="$seconds" -print_final_stats=1
done
