"""test_tongcheng.py — the Python package (python/tongcheng) against the `tongcheng` command on the same inputs.

Atlanta (MARTA rail subset + central OSM, ../shared/data/atlanta): the network is built once by the CLI and once
by TransportNetwork(osm=, gtfs=); matrix, accessibility, isochrones and journeys from Python must equal the CLI's
output byte for byte (the CSVs written with the CLI's number format). Errors must arrive as TongchengError with
tongcheng's message, and progress as callbacks. Skipped when the data is absent.
"""
import datetime as dt
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

import tongcheng

DATA = os.path.join(os.environ.get("TC_DATA", ""), "atlanta")
OSM = os.path.join(DATA, "central-atlanta-filtered.osm.pbf")
GTFS = os.path.join(DATA, "atlanta-blue-green-line.gtfs.zip")
BIN = os.environ.get("TC_BIN", "")
DEPARTURE = dt.datetime(2021, 9, 14, 8, 0)  # a Tuesday inside the feed's service
COMMON = ["--date", "2021-09-14", "--window", "08:00-08:20", "--quiet"]

pytestmark = pytest.mark.skipif(not (os.path.exists(OSM) and os.path.exists(GTFS) and os.access(BIN, os.X_OK)),
                                reason="no Atlanta data in ../shared/data or no tongcheng binary")


def cli(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    d = tmp_path_factory.mktemp("tc")
    net_path = str(d / "atl.tcnet")
    cli("build", "-o", net_path, "--osm", OSM, "--gtfs", GTFS, "--quiet")
    # A grid over central Atlanta, written with repr() so the CLI reads exactly the floats Python holds; jobs
    # with one empty value (counted as 0 by both).
    rows = []
    for i in range(6):
        for j in range(6):
            rows.append({"id": "p%d_%d" % (i, j), "lat": 33.735 + 0.007 * i, "lon": -84.415 + 0.009 * j,
                         "jobs": "" if (i, j) == (2, 3) else str(10 * i + j)})
    pts = pd.DataFrame(rows)
    with open(d / "points.csv", "w") as f:
        f.write("id,lat,lon,jobs\n")
        for r in rows:
            f.write("%s,%r,%r,%s\n" % (r["id"], r["lat"], r["lon"], r["jobs"]))
    pts["jobs"] = pd.to_numeric(pts["jobs"])
    return {"dir": d, "net": net_path, "points": pts, "points_csv": str(d / "points.csv")}


@pytest.fixture(scope="module")
def net(work):
    n = tongcheng.TransportNetwork.load(work["net"])
    yield n
    n.close()


def test_build_from_python_equals_cli_build(work, tmp_path):
    built = tongcheng.TransportNetwork(osm=OSM, gtfs=[GTFS], path=str(tmp_path / "py.tcnet"))
    built.close()
    # the file records when it was built: the same bytes but for that field and the checksum over it
    with open(tmp_path / "py.tcnet", "rb") as a, open(work["net"], "rb") as b:
        x, y = a.read(), b.read()
    assert len(x) == len(y) and sum(p != q for p, q in zip(x, y)) <= 4 + 32
    info_py = json.loads(cli("info", str(tmp_path / "py.tcnet"), "--json"))
    info_cli = json.loads(cli("info", work["net"], "--json"))
    for k in ("path", "file", "built", "build_time", "created"):
        info_py.pop(k, None), info_cli.pop(k, None)
    assert info_py == info_cli
    tn = tongcheng.TransportNetwork(osm=OSM, gtfs=[GTFS])  # a temporary file, removed on close
    tmp = tn.path
    assert tn.info["stops"] == 221
    tn.close()
    assert not os.path.exists(tmp)


def test_matrix_equals_cli(work, net, tmp_path):
    out = tmp_path / "m.csv"
    cli("matrix", work["net"], "--origins", work["points_csv"], "--destinations", work["points_csv"],
        "--percentiles", "25,50,75", "-o", str(out), *COMMON)
    df = net.travel_time_matrix(work["points"], work["points"], departure=DEPARTURE,
                                window=dt.timedelta(minutes=20), percentiles=[25, 50, 75])
    assert list(df.columns) == ["from_id", "to_id", "travel_time_p25", "travel_time_p50", "travel_time_p75"]
    assert len(df) == 36 * 36
    assert df["travel_time_p50"].notna().sum() > 36      # more than the diagonal is reached
    assert df["travel_time_p50"].isna().sum() > 0         # and some pairs are not, written as empty fields
    assert df.to_csv(index=False) == out.read_text()


def test_geodataframe_origins_equal_dataframe_origins(work, net):
    import geopandas as gpd
    pts = work["points"]
    g = gpd.GeoDataFrame(pts[["id", "jobs"]], geometry=gpd.points_from_xy(pts["lon"], pts["lat"]), crs="EPSG:4326")
    a = net.travel_time_matrix(g, g, departure=DEPARTURE, window=20)
    b = net.travel_time_matrix(pts, pts, departure=DEPARTURE, window=20)
    pd.testing.assert_frame_equal(a, b)
    # the same points in a projected CRS come back to the same coordinates (to within a nanodegree)
    c = net.travel_time_matrix(g.to_crs("EPSG:3857"), g, departure=DEPARTURE, window=20)
    assert (c["travel_time_p50"].fillna(-1) == b["travel_time_p50"].fillna(-1)).mean() > 0.99


def test_accessibility_equals_cli(work, net, tmp_path):
    out = tmp_path / "a.csv"
    cli("access", work["net"], "--origins", work["points_csv"], "--opportunities", work["points_csv"],
        "--columns", "jobs", "--cutoffs", "10,30", "--decay", "logistic:5", "--percentiles", "50,90",
        "-o", str(out), *COMMON)
    df = net.accessibility(work["points"], work["points"], opportunities="jobs", cutoffs=[10, 30],
                           decay="logistic:5", departure=DEPARTURE, window=20, percentiles=[50, 90])
    assert len(df) == 36 * 4
    assert (df["accessibility"] > 0).any()
    assert df.to_csv(index=False, float_format="%.10g") == out.read_text()


def test_accessibility_joined_to_hexagon_geometry(work, net):
    import geopandas as gpd
    from shapely.geometry import Polygon
    pts = work["points"]
    hexes = [Polygon([(x + 0.002 * dx, y + 0.002 * dy) for dx, dy in ((1, 0), (0.5, 0.87), (-0.5, 0.87), (-1, 0),
                                                                       (-0.5, -0.87), (0.5, -0.87))])
             for x, y in zip(pts["lon"], pts["lat"])]
    g = gpd.GeoDataFrame(pts[["id", "jobs"]], geometry=hexes, crs="EPSG:4326")
    acc = net.accessibility(g, g, opportunities=["jobs"], cutoffs=30, departure=DEPARTURE, window=20)
    assert isinstance(acc, gpd.GeoDataFrame) and (acc.geom_type == "Polygon").all() and len(acc) == 36


def test_isochrones_equal_cli(net, work, tmp_path):
    out = tmp_path / "iso.geojson"
    cli("isochrone", work["net"], "--from", "33.7555,-84.3915", "--cutoffs", "10,20,30", "--percentiles", "50",
        "-o", str(out), *COMMON)
    iso = net.isochrones((33.7555, -84.3915), departure=DEPARTURE, cutoffs=[10, 20, 30], window=20)
    assert iso.attrs["geojson"] == out.read_text()
    assert sorted(iso["cutoff_min"]) == [10, 20, 30]
    areas = iso.sort_values("cutoff_min")["area_km2"].tolist()
    assert areas[0] < areas[1] < areas[2]
    assert iso.geometry.is_valid.all()


def test_detailed_itineraries_equal_cli_route(net, work):
    o = pd.DataFrame({"id": ["west"], "lat": [33.7537], "lon": [-84.4187]})
    d = pd.DataFrame({"id": ["east"], "lat": [33.7617], "lon": [-84.3570]})
    legs = net.detailed_itineraries(o, d, departure=DEPARTURE)
    text = cli("route", work["net"], "--from", "33.7537,-84.4187", "--to", "33.7617,-84.357", "--date",
               "2021-09-14", "--time", "08:00", "--json")
    assert legs.attrs["json"][("west", "east")] + "\n" == text
    journeys = json.loads(text)["journeys"]
    assert len(journeys) >= 1
    assert len(legs) == sum(len(j["legs"]) for j in journeys)
    assert (legs["mode"] != "walk").any()
    for _, journey in legs.groupby("option"):
        journey = journey.sort_values("segment")
        # each leg starts where and when the previous one ended
        assert (journey["departure_time"].iloc[1:].to_numpy() >= journey["arrival_time"].iloc[:-1].to_numpy()).all()
    walks = legs[legs["mode"] == "walk"]
    assert (walks.geometry.apply(lambda g: len(g.coords)) > 2).any()  # walk legs follow the streets


def test_errors_are_exceptions_with_tongcheng_message(net, work, tmp_path):
    with pytest.raises(tongcheng.TongchengError) as e:
        tongcheng.TransportNetwork.load(str(tmp_path / "missing.tcnet"))
    assert e.value.code == "io" and "missing.tcnet" in str(e.value)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(tongcheng.TongchengError) as e:
        tongcheng.TransportNetwork(gtfs=[str(bad)])
    assert "bad.zip" in str(e.value)
    o = work["points"].head(1)
    with pytest.raises(tongcheng.TongchengError) as e:
        net.detailed_itineraries(o, o, departure=dt.datetime(2030, 1, 1, 8))
    r = subprocess.run([BIN, "route", work["net"], "--from", "%r,%r" % (o.lat[0], o.lon[0]), "--to",
                        "%r,%r" % (o.lat[0], o.lon[0]), "--date", "2030-01-01", "--time", "08:00"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and e.value.message in r.stderr  # the CLI's message, word for word
    with pytest.raises(tongcheng.TongchengError) as e:
        net.accessibility(o, work["points"], "jobs", decay="wiggly", departure=DEPARTURE, window=1)
    assert "wiggly" in e.value.message
    with pytest.raises(ValueError):
        net.travel_time_matrix(work["points"].drop(columns=["lat"]), departure=DEPARTURE)


def test_progress_reaches_a_callback(net, work):
    calls = []
    net.travel_time_matrix(work["points"], departure=DEPARTURE, window=5, threads=1,
                           progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (36, 36)
    assert all(a[0] < b[0] for a, b in zip(calls, calls[1:]))


def test_circle_builtin_default_equals_cli(tmp_path):
    src = os.environ.get("TC_SRC", "")
    data = os.path.join(src, "data", "changzhutan")
    cli("circle", "--data-dir", data, "--no-scenarios", "-o", str(tmp_path / "cli"), "--quiet")
    rep = tongcheng.circle(data_dir=data, no_scenarios=True, output_dir=str(tmp_path / "py"))
    for name in ("circle.csv", "isochrones.geojson", "report.html"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert set(rep.table["scenario"]) == {"baseline"}
    assert len(rep.isochrones) > 0 and "Zhuzhou core" in rep.text


def test_circle_on_a_network_with_dataframe_cores_equals_cli(work, net, tmp_path):
    cores = pd.DataFrame({"id": ["five_points", "west_end"], "name": ["Five Points", "West End"],
                          "lat": [33.7539, 33.7360], "lon": [-84.3915, -84.4130]})
    cores.to_csv(tmp_path / "cores.csv", index=False, float_format="%r")
    cli("circle", work["net"], "--cores", str(tmp_path / "cores.csv"), "--places", work["points_csv"], "--date",
        "2021-09-14", "--window", "08:00-08:30", "--cutoff", "30", "--no-isochrones", "-o", str(tmp_path / "cli"),
        "--quiet")
    places = work["points"].assign(name=work["points"]["id"])
    rep = net.circle(cores, places=places, date="2021-09-14", window=("08:00", "08:30"), cutoff=30,
                     isochrones=False, output_dir=str(tmp_path / "py"))
    assert (tmp_path / "py" / "circle.csv").read_bytes() == (tmp_path / "cli" / "circle.csv").read_bytes()
    assert len(rep.table) == 36 * 2 and rep.table["inside"].sum() > 0
    g = net.circle(cores, places=places, date="2021-09-14", window=("08:00", "08:30"), cutoff=30, isochrones=False,
                   output_dir=str(tmp_path / "py.gpkg"))
    assert len(g.table) == 72
    assert list(g.table["transit_p50_min"].fillna(-1)) == list(rep.table["transit_p50_min"].fillna(-1))
    again = net.circle(cores, places=places, date="2021-09-14", window=("08:00", "08:30"), cutoff=30,
                       isochrones=False)
    assert again.output_dir is None  # written to a temporary folder, read back, removed
    pd.testing.assert_frame_equal(again.table, rep.table)


def test_porto_alegre_example_writes_its_map(tmp_path):
    poa = os.path.join(os.environ.get("TC_DATA", ""), "porto-alegre")
    if not os.path.exists(os.path.join(poa, "poa_osm.pbf")):
        pytest.skip("no Porto Alegre data")
    script = os.path.join(os.environ.get("TC_SRC", ""), "examples", "poa_accessibility.py")
    png = tmp_path / "poa.png"
    r = subprocess.run([sys.executable, script, poa, str(png)], capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert r.returncode == 0, r.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000
    # 1,227 cells; the median cell reaches some schools and health facilities within the hour
    words = r.stdout.split()
    assert "1227" in words
    assert float(words[words.index("schools") + 3].rstrip(",")) > 0
