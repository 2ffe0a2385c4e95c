#!/usr/bin/env bash
# Installs Debian's headless Chromium and its WebDriver (chromium, chromium-driver) for
# the admin pages' browser tests (examples/tests/admin_browser.rs), when either is
# missing. Non-interactive; needs root (CI runs as root). Never downloads a browser of
# its own: only the distribution's packages.
set -euo pipefail

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "browser-deps: /usr/bin/chromium or /usr/bin/chromedriver is missing;" \
        "run as root or: sudo apt-get install chromium chromium-driver" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run rather than fail on its lock.
apt=(apt-get -o DPkg::Lock::Timeout=600 -q -y)
"${apt[@]}" update
"${apt[@]}" install --no-install-recommends chromium chromium-driver
