"""ANA-6: the city map of a province — outlines from a registry's data package (fetched once,
checked against its pinned digest), decoded from ECharts' compact form, coloured by the
province's city figures on the regions page, in the viewer's scope."""

import base64
import hashlib
import io
import json
import re
import tarfile

import pytest

from guanxi.analytics import citymaps
from guanxi.analytics.regions import region_rows
from guanxi.analytics.tests.test_regions import PERIOD, orders  # noqa: F401 - the fixture
from guanxi.customers import regions as divisions

GUANGZHOU = [[[113.0, 23.0], [113.5, 23.0], [113.5, 23.5], [113.0, 23.5], [113.0, 23.0]]]
SHENZHEN = [[[114.0, 22.4], [114.6, 22.4], [114.6, 22.8], [114.0, 22.8], [114.0, 22.4]]]


def _encode(ring):
    """ECharts' compact form, written from its description: zig-zag coded steps in 1/1024 degree
    from the ring's offsets, each step as a character code + 64."""
    points = [(round(x * 1024), round(y * 1024)) for x, y in ring]
    offsets = list(points[0])
    out, previous = [], tuple(offsets)
    for point in points:
        for delta in (point[0] - previous[0], point[1] - previous[1]):
            out.append(chr(((delta << 1) ^ (delta >> 31)) + 64))
        previous = point
    return "".join(out), offsets


def _province_file(features, encoded):
    document = {"type": "FeatureCollection", "features": []}
    if encoded:
        document["UTF8Encoding"] = True
    for name, polygon in features:
        if encoded:
            rings = [_encode(ring) for ring in polygon]
            geometry = {"type": "Polygon", "coordinates": [r for r, _o in rings],
                        "encodeOffsets": [o for _r, o in rings]}
        else:
            geometry = {"type": "Polygon", "coordinates": polygon}
        document["features"].append({"type": "Feature", "properties": {"name": name}, "geometry": geometry})
    return json.dumps(document, ensure_ascii=False).encode()


def _tarball(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _integrity(data):
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


class _Response(io.BytesIO):
    pass


def _opener(data, seen):
    def open_url(url, timeout):
        seen.append(url)
        return _Response(data)
    return open_url


@pytest.fixture
def package(settings, tmp_path, monkeypatch):
    """A small package in the registry's layout: Guangdong's two cities (compact form, as the
    real files), Beijing's districts (a municipality), and members that must not be unpacked."""
    settings.MAP_DATA_DIR = tmp_path / "maps"
    citymaps.outlines.cache_clear()
    data = _tarball({
        "package/LICENSE": b"Apache License 2.0",
        "package/map/json/province/guangdong.json": _province_file(
            [("广州市", GUANGZHOU), ("深圳市", SHENZHEN), ("东沙群岛", SHENZHEN)], encoded=True),
        "package/map/json/province/beijing.json": _province_file([("东城区", GUANGZHOU)], encoded=False),
        "package/map/json/province/../../../escape.json": b"{}",
        "package/dist/echarts.js": b"/* code we do not want */",
    })
    monkeypatch.setattr(citymaps, "INTEGRITY", _integrity(data))
    yield data
    citymaps.outlines.cache_clear()


def test_compact_rings_decode_to_their_coordinates():
    """ANA-6: a ring in ECharts' compact form decodes to its points (to 1/1024 degree)."""
    ring = [(113.2806, 23.1252), (112.9, 23.0), (114.61, 22.01), (113.2806, 23.1252)]
    encoded, offsets = _encode(ring)
    decoded = citymaps.decode_ring(encoded, offsets)
    assert len(decoded) == len(ring)
    assert all(abs(a - c) <= 1 / 1024 and abs(b - d) <= 1 / 1024 for (a, b), (c, d) in zip(decoded, ring, strict=True))


def test_fetch_checks_the_digest_and_unpacks_only_the_outlines(package, monkeypatch):
    """ANA-6: a tarball that does not match the pinned digest is refused and nothing is
    installed; the right one installs the province files and the licence, nothing else, once."""
    seen = []
    monkeypatch.setattr(citymaps, "INTEGRITY", _integrity(b"another file"))
    with pytest.raises(citymaps.PackageError, match="digest"):
        citymaps.fetch_package("https://registry.example/", opener=_opener(package, seen))
    assert not citymaps.installed() and seen == ["https://registry.example/echarts/-/echarts-4.9.0.tgz"]
    monkeypatch.setattr(citymaps, "INTEGRITY", _integrity(package))
    assert citymaps.fetch_package("https://registry.example/", opener=_opener(package, seen)) == 2
    files = sorted(str(p.relative_to(citymaps.package_dir())) for p in citymaps.package_dir().rglob("*") if p.is_file())
    assert files == ["LICENSE", "province/beijing.json", "province/guangdong.json"]
    assert not (citymaps.package_dir().parent.parent / "escape.json").exists()
    citymaps.fetch_package("https://registry.example/", opener=_opener(package, seen))
    assert len(seen) == 2  # installed: not fetched again
    with pytest.raises(citymaps.PackageError, match="registry address"):
        citymaps.fetch_package("file:///etc/", force=True)


def test_a_download_that_fails_says_so(package):
    """ANA-6: no registry reachable → a clear error, nothing installed."""
    def unreachable(url, timeout):
        raise OSError("Network is unreachable")
    with pytest.raises(citymaps.PackageError, match="could not download"):
        citymaps.fetch_package("https://registry.example/", opener=unreachable)
    assert not citymaps.installed()


def test_outlines_match_the_province_cities(package):
    """ANA-6: each shape carries its city's code (东沙群岛 is none of Guangdong's cities); a
    municipality's file outlines districts, so it has no city map."""
    citymaps.unpack(package, citymaps.package_dir())
    view_box, drawn = citymaps.outlines("44")
    assert [(code, name) for code, name, _path in drawn] == [("4401", "广州市"), ("4403", "深圳市"), ("", "东沙群岛")]
    assert view_box.startswith("0 0 800 ") and all(path.startswith("M") and path.endswith("Z") for *_x, path in drawn)
    # Guangzhou lies west of and above Shenzhen.
    first_x = [float(path[1:].split(",")[0]) for *_x, path in drawn]
    assert first_x[0] < first_x[1]
    assert citymaps.outlines("11") is None and citymaps.outlines("32") is None


def test_the_page_colours_the_cities_in_the_viewers_scope(package, demo_org, client_for, orders):  # noqa: F811
    """ANA-6: a province's page draws its cities with the viewer's own figures (a branch head
    sees his branch's sales, the chairman the company's), each city focusable with its figure."""
    citymaps.unpack(package, citymaps.package_dir())
    query = "/analytics/regions/?period=custom&start=2026-01-01&end=2026-06-30&metric=orders&province=44"
    for user in (demo_org["chenzhiqiang"], demo_org["majun"]):
        html = client_for(user).get(query).content.decode()
        figures = region_rows(user, PERIOD, "44")
        city_map = html[html.index('id="city-map"'):]
        for code, name in (("4401", "广州市"), ("4403", "深圳市")):
            orders_here = figures[code].orders if code in figures else None
            label = re.search(rf'aria-label="([^"]*)" data-city="{code}"', city_map).group(1)
            assert label == f"{name}: {orders_here if orders_here is not None else '—'}"
        assert 'data-city=""' in city_map and 'tabindex="0"' in city_map
    assert any(figures[c].orders for c in ("4401", "4403") if c in figures)


def test_without_the_package_the_page_says_how_to_install_it(settings, tmp_path, demo_org, client_for):
    """ANA-6: no outlines installed → the province's table, and a note naming the command."""
    settings.MAP_DATA_DIR = tmp_path / "none"
    citymaps.outlines.cache_clear()
    html = client_for(demo_org["chenzhiqiang"]).get("/analytics/regions/?province=44").content.decode()
    assert 'id="city-map-missing"' in html and "guanxi fetch_maps" in html and 'id="city-map"' not in html
    citymaps.outlines.cache_clear()


@pytest.mark.skipif(not citymaps.installed(), reason="the data package is installed by run-tests (guanxi fetch_maps)")
def test_the_installed_package_outlines_every_province_with_cities():
    """ANA-6: with the real package, every province but the municipalities and special regions
    has a city map whose named shapes are the province's cities."""
    citymaps.outlines.cache_clear()
    for province in citymaps.PROVINCE_FILES:
        found = citymaps.outlines(province)
        if province in ("11", "12", "31", "50", "81", "82"):
            assert found is None
            continue
        assert found is not None, province
        codes = {code for code, _name, _path in found[1]} - {""}
        cities = {code for code, _name in divisions.children(province)}
        assert len(codes) >= 4 and codes <= cities, province
