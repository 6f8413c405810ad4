"""City outlines of a province for the regional map (ANA-6), from a registry's data package.

The outlines are the province files of the npm package ``echarts`` 4.9.0 (Apache-2.0,
``map/json/province/*.json``: each city of a province as a GeoJSON feature named in
Chinese). ``fetch_package`` downloads the tarball from the npm registry once at install time
(``guanxi fetch_maps``; ``run-demo`` and ``run-tests`` call it), checks it against the pinned
SHA-512 and unpacks only those files and the licence into ``settings.MAP_DATA_DIR``; nothing
is fetched while the product runs and nothing is committed to this repository. Without the
package the regions page shows the province's table and says how to install the outlines.

The files keep their coordinates in ECharts' compact form (``UTF8Encoding``): per ring a
string of character pairs, each the zig-zag coded step in 1/1024 degree from the previous
point, starting at the ring's ``encodeOffsets``. ``decode_ring`` reads it; the outlines are
drawn in an equirectangular projection scaled by the cosine of the province's middle
latitude, so shapes keep their proportions.
"""

import base64
import functools
import hashlib
import io
import json
import math
import os
import shutil
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from django.conf import settings

from guanxi.customers import regions as divisions

PACKAGE = "echarts"
VERSION = "4.9.0"
INTEGRITY = "sha512-+ugizgtJ+KmsJyyDPxaw2Br5FqzuBnyOWwcxPKO6y0gc5caYcfnEUIlNStx02necw8jmKmTafmpHhGo4XDtEIA=="
MEMBER_PREFIX = "package/map/json/province/"
LICENCE_MEMBER = "package/LICENSE"
DEFAULT_REGISTRY = "https://registry.npmjs.org/"
WIDTH = 800.0
ENCODE_SCALE = 1024.0
# GB/T 2260 province code → the package's file (pinyin; Shaanxi is "shanxi1").
PROVINCE_FILES = {
    "11": "beijing", "12": "tianjin", "13": "hebei", "14": "shanxi", "15": "neimenggu", "21": "liaoning",
    "22": "jilin", "23": "heilongjiang", "31": "shanghai", "32": "jiangsu", "33": "zhejiang", "34": "anhui",
    "35": "fujian", "36": "jiangxi", "37": "shandong", "41": "henan", "42": "hubei", "43": "hunan",
    "44": "guangdong", "45": "guangxi", "46": "hainan", "50": "chongqing", "51": "sichuan", "52": "guizhou",
    "53": "yunnan", "54": "xizang", "61": "shanxi1", "62": "gansu", "63": "qinghai", "64": "ningxia",
    "65": "xinjiang", "71": "taiwan", "81": "xianggang", "82": "aomen",
}


class PackageError(Exception):
    """The data package could not be fetched or did not match its pinned digest."""


def package_dir() -> Path:
    return Path(settings.MAP_DATA_DIR) / f"{PACKAGE}-{VERSION}"


def installed() -> bool:
    return (package_dir() / "LICENSE").is_file()


def tarball_url(registry: str = "") -> str:
    registry = registry or os.environ.get("NPM_CONFIG_REGISTRY") or DEFAULT_REGISTRY
    return f"{registry.rstrip('/')}/{PACKAGE}/-/{PACKAGE}-{VERSION}.tgz"


def check_integrity(data: bytes, integrity: str = "") -> None:
    algorithm, _dash, expected = (integrity or INTEGRITY).partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if digest != expected:
        raise PackageError(f"{PACKAGE}-{VERSION}.tgz does not match its pinned {algorithm} digest")


def unpack(data: bytes, target: Path) -> int:
    """Write the province files and the licence of the tarball ``data`` into ``target``
    (replaced as a whole); returns the number of province files."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".staging-"))
    count = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive.getmembers():
                name = member.name
                if not member.isfile():
                    continue
                if name == LICENCE_MEMBER:
                    out = staging / "LICENSE"
                elif name.startswith(MEMBER_PREFIX) and name.endswith(".json") and "/" not in name[len(MEMBER_PREFIX):]:
                    out = staging / "province" / Path(name).name
                    count += 1
                else:
                    continue
                out.parent.mkdir(exist_ok=True)
                source = archive.extractfile(member)
                if source is not None:
                    out.write_bytes(source.read())
        if not count or not (staging / "LICENSE").is_file():
            raise PackageError(f"{PACKAGE}-{VERSION}.tgz holds no province outlines")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    outlines.cache_clear()
    return count


def fetch_package(registry: str = "", *, force: bool = False, opener=urllib.request.urlopen) -> int:
    """Download, check and unpack the package unless it is there; returns the province files."""
    target = package_dir()
    if installed() and not force:
        return len(list((target / "province").glob("*.json")))
    url = tarball_url(registry)
    if not url.startswith(("https://", "http://")):
        raise PackageError(f"not a registry address: {url}")
    try:
        with opener(url, timeout=120) as response:  # noqa: S310 - http(s) checked above
            data = response.read()
    except OSError as exc:
        raise PackageError(f"could not download {url}: {exc}") from exc
    check_integrity(data)
    return unpack(data, target)


def decode_ring(encoded: str, offsets) -> list[tuple[float, float]]:
    """ECharts' compact ring → [(longitude, latitude)]."""
    x, y = offsets[0], offsets[1]
    points = []
    for index in range(0, len(encoded) - 1, 2):
        dx, dy = ord(encoded[index]) - 64, ord(encoded[index + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        points.append((x / ENCODE_SCALE, y / ENCODE_SCALE))
    return points


def _rings(feature, encoded: bool):
    geometry = feature["geometry"]
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    offsets = geometry.get("encodeOffsets")
    offsets = offsets if geometry["type"] == "MultiPolygon" else [offsets]
    for p, polygon in enumerate(polygons):
        for r, ring in enumerate(polygon):
            yield decode_ring(ring, offsets[p][r]) if encoded else [(float(a), float(b)) for a, b in ring]


def _city_code(name: str, cities: dict[str, str]) -> str:
    """The code of the city ``name`` names, by full name or by the name without its suffix
    (the package's 那曲地区 is today's 那曲市)."""
    return cities.get(name) or cities.get(divisions.short_name(name), "")


@functools.cache
def outlines(province: str):
    """``(view box, [(city code or "", city name, path data)])`` for ``province``, or None when
    the package is not installed, has no file for it, or the province is a municipality or a
    special administrative region (one or two cities; its file outlines districts). A shape not one
    of the province's cities (a county-level city governed by the province) gets the code ""."""
    name = PROVINCE_FILES.get(province)
    path = package_dir() / "province" / f"{name}.json"
    if not name or not path.is_file() or len(divisions.children(province)) <= 2:
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    encoded = bool(document.get("UTF8Encoding"))
    cities = {key: code for code, full in divisions.children(province)
              for key in (full, divisions.short_name(full))}
    shapes = [(feature["properties"]["name"], list(_rings(feature, encoded))) for feature in document["features"]]
    points = [point for _name, rings in shapes for ring in rings for point in ring]
    if not points:
        return None
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = WIDTH / max((east - west) * squeeze, 1e-9)
    height = (north - south) * scale

    def ring_path(ring):
        return "M" + "L".join(f"{(lon - west) * squeeze * scale:.1f},{(north - lat) * scale:.1f}"
                              for lon, lat in ring) + "Z"

    drawn = [(_city_code(city, cities), city, "".join(ring_path(ring) for ring in rings if len(ring) > 2))
             for city, rings in shapes]
    if not any(code for code, _city, _path in drawn):
        return None  # names that are none of the province's cities
    return f"0 0 {WIDTH:.0f} {max(height, 1):.0f}", drawn
