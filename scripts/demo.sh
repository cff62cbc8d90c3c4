#!/usr/bin/env bash
# Quick start: install into .venv, then analyse the bundled Kursk article and store it in DuckDB.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/reportedly analyze examples/kursk-friendly-fire.txt --published 2024-11-08 --format table
if .venv/bin/reportedly ingest --help >/dev/null 2>&1; then
  .venv/bin/reportedly ingest examples/kursk-friendly-fire.txt --published 2024-11-08 --db reportedly.db
  .venv/bin/reportedly stats --db reportedly.db
fi
