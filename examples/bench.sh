#!/usr/bin/env bash
# The load figure of examples/BENCHMARKS.md: requests per second of the release
# scim-server for GET /Users?filter=userName eq "…" with 10 000 users, beside a minimal
# axum handler returning a fixed JSON body, both measured with wrk on loopback.
# Needs wrk (apt-get install wrk) and python3. Usage: bash examples/bench.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet --bin scim-server --bin bench-baseline

"$target_dir/release/scim-server" --listen 127.0.0.1:18080 --api-key acme:bench-secret \
    --database memory --rate-limit-per-minute 100000000 >/dev/null 2>&1 &
server=$!
"$target_dir/release/bench-baseline" 127.0.0.1:18081 >/dev/null 2>&1 &
baseline=$!
trap 'kill "$server" "$baseline" 2>/dev/null || true' EXIT
sleep 1

echo "== seeding 10 000 users"
python3 - <<'PY'
import http.client, json
conn = http.client.HTTPConnection("127.0.0.1", 18080)
headers = {"Authorization": "Bearer bench-secret", "Content-Type": "application/scim+json"}
for n in range(10_000):
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": f"user{n:05}",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": f"user{n:05}@example.com", "type": "work", "primary": True}],
        "active": True,
    }
    conn.request("POST", "/scim/v2/acme/Users", json.dumps(body), headers)
    response = conn.getresponse()
    response.read()
    assert response.status == 201, response.status
PY

url='http://127.0.0.1:18080/scim/v2/acme/Users?filter=userName%20eq%20%22user05000%22'
echo "== scim-server: GET $url"
wrk -t2 -c32 -d"${seconds}s" -H 'Authorization: Bearer bench-secret' "$url"
echo "== baseline: fixed JSON body"
wrk -t2 -c32 -d"${seconds}s" http://127.0.0.1:18081/
