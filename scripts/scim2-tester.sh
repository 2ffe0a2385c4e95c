#!/usr/bin/env bash
# Runs the third-party SCIM checker scim2-tester (PyPI, pinned in
# scripts/scim2-tester-requirements.txt) against the release example server, lenient,
# with --strict, and on SQLite, and fails when any check fails; no check is excluded.
# Called by scripts/test.sh, and so by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
venv="$target_dir/scim2-tester/venv"
requirements=scripts/scim2-tester-requirements.txt

# A virtual environment under target/ (ignored by git), rebuilt when the pins change.
if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
    echo "== scim2-tester: installing $(grep '^scim2-tester==' "$requirements") into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
fi

# SCIM2_TESTER_PROFILE=debug skips the release build while developing.
profile="${SCIM2_TESTER_PROFILE:-release}"
echo "== scim2-tester: building the example server ($profile)"
if [[ "$profile" == release ]]; then
    cargo build --release --quiet --bin scim-server
else
    cargo build --quiet --bin scim-server
    profile=debug
fi

# Checks one example server, started with the given extra flags, then stops it.
server=
trap 'if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi' EXIT
check() {
    # A free loopback port, a fresh key, and a limit no checker run reaches.
    local port token tenant=conformance log="$target_dir/scim2-tester/server.log"
    port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    token="checker-$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(16))')"
    "$target_dir/$profile/scim-server" \
        --listen "127.0.0.1:$port" \
        --api-key "$tenant:$token" --database memory \
        --rate-limit-per-minute 1000000 "$@" >"$log" 2>&1 &
    server=$!

    local base_url="http://127.0.0.1:$port/scim/v2/$tenant"
    for _ in $(seq 1 100); do
        if "$venv/bin/python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1])" \
            "http://127.0.0.1:$port/" 2>/dev/null; then
            break
        fi
        if ! kill -0 "$server" 2>/dev/null; then
            echo "scim-server exited early:" >&2
            cat "$log" >&2
            exit 1
        fi
        sleep 0.1
    done

    echo "== scim2-tester: checking $base_url ${*:-(default, lenient)}"
    "$venv/bin/python" scripts/scim2-tester-check.py "$base_url" "$token"
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=
}

# The default server, then the strict one: the checker's requests need no leniency. Both
# in memory; then the default again on a fresh SQLite file (the binary's default store).
check
check --strict
db="$target_dir/scim2-tester/checker.db"
rm -f "$db" "$db-wal" "$db-shm"
check --database "sqlite://$db"
