#!/usr/bin/env bash
# The README's test command: install (idempotent), lint, then run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Headless Chromium for tests/browser/ (they skip without it); best effort, root with apt only.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then bash scripts/setup-browser.sh || echo "browser setup failed: browser tests will skip" >&2; fi
.venv/bin/ruff check src tests benchmarks
.venv/bin/python -m pytest -q "$@"
