"""Runs the scim2-tester checks against a SCIM server and fails on any failed check.

Usage: python scim2-tester-check.py BASE_URL TOKEN

BASE_URL is a tenant's base URL (http://127.0.0.1:PORT/scim/v2/TENANT). Every check must
be rated SUCCESS: ERROR or CRITICAL (a MUST of RFC 7643/7644 broken), DEVIATION (a SHOULD
not followed) and SKIPPED (a check that did not run) all fail the run, and so does a run
of fewer checks than the pinned scim2-tester has (EXPECTED_CHECKS). No check is excluded.
"""

import sys

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

# The checks scim2-tester (the version pinned in scim2-tester-requirements.txt) runs
# against a server with Users, Groups, Bulk, sorting, ETags and passwords.
EXPECTED_CHECKS = 135


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    base_url, token = sys.argv[1], sys.argv[2]
    http = httpx2.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    client = SyncSCIMClient(http)
    results = check_server(client)

    failed = 0
    counts: dict[str, int] = {}
    for result in results:
        status = result.status
        counts[status.name] = counts.get(status.name, 0) + 1
        where = f" [{result.resource_type}]" if result.resource_type else ""
        line = f"{status.name:<10} {result.title}{where}"
        if result.reason and status not in {Status.SUCCESS, Status.SKIPPED}:
            line += f": {result.reason}"
        if status != Status.SUCCESS:
            failed += 1
            if result.data is not None:
                line += f"\n           data: {result.data!r}"[:2000]
        print(line)

    summary = ", ".join(f"{n} {name.lower()}" for name, n in sorted(counts.items()))
    print(f"scim2-tester: {len(results)} checks: {summary}")
    if not results:
        print("scim2-tester ran no check", file=sys.stderr)
        return 1
    print(f"{len(results) - failed} passed, {failed} failed")
    if len(results) < EXPECTED_CHECKS:
        print(
            f"scim2-tester ran {len(results)} checks, fewer than {EXPECTED_CHECKS}",
            file=sys.stderr,
        )
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
