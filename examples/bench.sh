#!/usr/bin/env bash
# The load figures of examples/BENCHMARKS.md: requests per second of the release
# scim-server beside a minimal axum handler that reads the body and returns a fixed JSON
# body of the same size (bench-baseline), both measured with wrk on loopback, for four
# requests a provisioning client sends:
#
#   get     GET /Users/{id}
#   filter  GET /Users?filter=userName eq "…"
#   post    POST /Users (a new userName each time)
#   patch   PATCH /Groups/{id}?excludedAttributes=members adding or removing one member
#           of a 100-member group (Entra ID's shapes)
#
# 10 000 users, bearer auth on, the rate limit out of the way. Each pair (server, then
# baseline) runs ROUNDS times, alternating, and the ratio of each round is printed, so a
# drift in the machine's load hits both sides alike. Beside it, the CPU time each process
# spent per request (user and system, from /proc), which shows the server's own cost
# with less noise than the ratio.
# Needs wrk (apt-get install wrk) and python3.
# Usage: bash examples/bench.sh [SECONDS] [ROUNDS] [SCENARIO...]
# SCIM_SERVER_BIN=/path/to/older/scim-server measures another build against the same
# baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
rounds="${2:-3}"
shift $(($# < 2 ? $# : 2))
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(get filter post patch)
target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet --bin scim-server --bin bench-baseline

work="$(mktemp -d)"
"${SCIM_SERVER_BIN:-$target_dir/release/scim-server}" --listen 127.0.0.1:18080 --api-key acme:bench-secret \
    --database memory --rate-limit-per-minute 100000000 >/dev/null 2>&1 &
server=$!
"$target_dir/release/bench-baseline" 127.0.0.1:18081 >/dev/null 2>&1 &
baseline=$!
trap 'kill "$server" "$baseline" 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 1

echo "== seeding 10 000 users and a group of 100 members"
WORK="$work" python3 - <<'PY'
import http.client, json, os
conn = http.client.HTTPConnection("127.0.0.1", 18080)
headers = {"Authorization": "Bearer bench-secret", "Content-Type": "application/scim+json"}
def send(method, path, body):
    conn.request(method, "/scim/v2/acme" + path, json.dumps(body), headers)
    response = conn.getresponse()
    data = response.read()
    assert response.status in (200, 201), (response.status, data)
    return json.loads(data)
ids = []
for n in range(10_000):
    user = send("POST", "/Users", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": f"user{n:05}",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": f"user{n:05}@example.com", "type": "work", "primary": True}],
        "active": True,
    })
    ids.append(user["id"])
group = send("POST", "/Groups", {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    "displayName": "Bench",
    "members": [{"value": i} for i in ids[:100]],
})
work = os.environ["WORK"]
with open(os.path.join(work, "ids.env"), "w") as f:
    f.write(f"user_id={ids[5000]}\ngroup_id={group['id']}\n")
# Two pools of 100 users outside the group, one per wrk thread.
with open(os.path.join(work, "pools.lua"), "w") as f:
    pools = [ids[100:200], ids[200:300]]
    f.write("pools = {" + ",".join("{" + ",".join(f'"{i}"' for i in p) + "}" for p in pools) + "}\n")
PY
# shellcheck disable=SC1091
source "$work/ids.env"

# Each wrk thread has its own Lua state: number the threads so their requests differ.
common='
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function init(args) run = args[1] or "0"; n = 0 end
headers = {["Authorization"] = "Bearer bench-secret", ["Content-Type"] = "application/scim+json"}
'
cat >"$work/post.lua" <<LUA
$common
request = function()
    n = n + 1
    local name = string.format("load-%s-%s-%d@example.com", run, tid, n)
    local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' .. name
        .. '","name":{"givenName":"Load","familyName":"User"},"emails":[{"value":"' .. name
        .. '","type":"work","primary":true}],"active":true}'
    return wrk.format("POST", nil, headers, body)
end
LUA
# Member k of the thread's pool is added, then removed 100 requests later: far enough
# apart that the connections of one thread never reorder them.
cat >"$work/patch.lua" <<LUA
$common
dofile("$work/pools.lua")
request = function()
    local pool = pools[(tid % 2) + 1]
    local member = pool[(n % 100) + 1]
    local op = (math.floor(n / 100) % 2 == 0) and "add" or "remove"
    n = n + 1
    local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"'
        .. op .. '","path":"members","value":[{"value":"' .. member .. '"}]}]}'
    return wrk.format("PATCH", nil, headers, body)
end
LUA
cat >"$work/get.lua" <<LUA
$common
LUA

scenario_path() {
    case "$1" in
    get) echo "/scim/v2/acme/Users/$user_id" ;;
    filter) echo '/scim/v2/acme/Users?filter=userName%20eq%20%22user05000%22' ;;
    post) echo "/scim/v2/acme/Users" ;;
    patch) echo "/scim/v2/acme/Groups/$group_id?excludedAttributes=members" ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
    esac
}
scenario_script() {
    case "$1" in
    post | patch) echo "$work/$1.lua" ;;
    *) echo "$work/get.lua" ;;
    esac
}

# CPU time (user and system) process $1 has used so far, in clock ticks.
cpu_ticks() {
    awk '{print $14 + $15}' "/proc/$1/stat"
}
ticks_per_second="$(getconf CLK_TCK)"

# Runs wrk against the process $1 listening on port $2; prints "requests/s non-2xx
# CPU-µs-per-request". The CPU time is the server process's own, read from /proc around
# the run: unlike requests per second, it does not depend on how the two cores were
# shared with wrk, so it varies much less from round to round.
load() {
    local pid="$1" port="$2" path="$3" script="$4" run="$5" out before after
    before="$(cpu_ticks "$pid")"
    out="$(wrk -t2 -c16 -d"${seconds}s" -H 'Authorization: Bearer bench-secret' \
        -s "$script" "http://127.0.0.1:$port$path" -- "$run")"
    after="$(cpu_ticks "$pid")"
    local rps errors requests cpu
    rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    errors="$(awk '/Non-2xx/ {print $5}' <<<"$out")"
    requests="$(awk '/requests in/ {print $1}' <<<"$out")"
    cpu="$(python3 -c "print(f'{($after - $before) * 1e6 / $ticks_per_second / max($requests, 1):.1f}')")"
    echo "$rps ${errors:-0} $cpu"
}

echo
echo "| request | round | scim-server req/s | non-2xx | baseline req/s | ratio | scim-server CPU µs/req | baseline CPU µs/req |"
echo "|---|---|---|---|---|---|---|---|"
run=0
for scenario in "${scenarios[@]}"; do
    path="$(scenario_path "$scenario")"
    script="$(scenario_script "$scenario")"
    for round in $(seq 1 "$rounds"); do
        run=$((run + 1))
        read -r server_rps server_errors server_cpu < <(load "$server" 18080 "$path" "$script" "$run")
        read -r baseline_rps _ baseline_cpu < <(load "$baseline" 18081 "$path" "$script" "$run")
        ratio="$(python3 -c "print(f'{$server_rps / $baseline_rps:.2f}')")"
        echo "| $scenario | $round | $server_rps | $server_errors | $baseline_rps | $ratio | $server_cpu | $baseline_cpu |"
    done
done
