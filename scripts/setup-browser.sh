#!/usr/bin/env bash
# What the browser tests (tests/browser/) need: Debian's chromium at /usr/bin/chromium and the
# Playwright Python package (which drives it; Playwright's own browser download is never used).
# Needs root and apt-get for chromium; without them it says so and exits non-zero, and the
# browser tests skip with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-browser: chromium is missing and this is not root with apt-get; browser tests will skip" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-liberation fonts-dejavu-core >/dev/null
fi
if [ -x .venv/bin/python ] && ! .venv/bin/python -c "import playwright" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet "playwright>=1.45"
fi
/usr/bin/chromium --version 2>/dev/null | head -1
