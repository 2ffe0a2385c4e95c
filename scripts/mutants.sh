#!/usr/bin/env bash
# Mutation testing of the code that decides who may do what, what a client is told and
# what is kept: `cargo mutants` changes one operator, constant or function body at a
# time and runs the tests; a mutant the tests do not notice ("missed") is a hole in them.
#
#   scripts/mutants.sh            the security-critical modules (keys, authentication,
#                                 rate limits, ETags, tenant ids): 213 mutants, about
#                                 half an hour on two cores
#   scripts/mutants.sh all        plus routing, the engine, the handlers, the prepared
#                                 filter, PATCH and the in-memory store: hours
#   scripts/mutants.sh FILE...    the given files only
#   scripts/mutants.sh --iterate FILE...
#                                 again, testing only the mutants the last run of the
#                                 same files did not catch (after adding tests)
#
# Not run by CI (it takes too long); run it after changing one of these modules, and
# kill what it reports missed with a test that says which behaviour it pins, or explain
# beside the code why the mutant is equivalent. Results: target/mutants/mutants.out/
# (missed.txt, caught.txt, timeout.txt, unviable.txt). See CONTRIBUTING.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo mutants --version >/dev/null 2>&1; then
    cargo install --locked cargo-mutants
fi

security=(
    scim-core/src/auth/mod.rs
    'scim-core/src/auth/api_keys/*.rs'
    scim-core/src/rate_limit.rs
    scim-core/src/wire/etag.rs
    scim-core/src/tenant.rs
)
wider=(
    scim-core/src/routing.rs
    'scim-core/src/engine/**/*.rs'
    'scim-core/src/handlers/**/*.rs'
    scim-core/src/filter/prepared.rs
    scim-core/src/patch/apply.rs
    'scim-core/src/patch/apply/*.rs'
    scim-core/src/patch/members.rs
    'scim-core/src/store/memory/**/*.rs'
)

# Options for cargo mutants itself (`--iterate`, `--shard=1/2`...) come first.
options=()
while [[ "${1:-}" == --* ]]; do
    options+=("$1")
    shift
done

case "${1:-}" in
"") files=("${security[@]}") ;;
all) files=("${security[@]}" "${wider[@]}") ;;
*) files=("$@") ;;
esac

args=()
for file in "${files[@]}"; do
    args+=(--file "$file")
done

# cargo mutants creates its output folder but not that folder's parent (a fresh clone
# has no target/).
mkdir -p target

# scim-core's own unit tests first; the conformance suite (tests/) drives the engine
# through HTTP and catches what the unit tests leave to it; the store contract runs
# every case on the in-memory store. Unit-test modules and test
# helpers are never mutated.
exec cargo mutants --package scim-core "${options[@]}" "${args[@]}" \
    --exclude '**/tests.rs' --exclude '**/tests/**' \
    --test-package scim-core --test-package scim-conformance --test-package scim-store-contract \
    --timeout-multiplier 3 \
    --output target/mutants \
    -- --lib --tests
