"""circle(): the one-hour commute circle report (`tongcheng circle`) from Python, through tc_circle_run.

With no network and no inputs it runs the built-in Chang-Zhu-Tan default, found in $TONGCHENG_DATA_DIR, beside the
installed package (PREFIX/share/tongcheng/changzhutan) or in the source tree (data/changzhutan). Cores and places
may be CSV paths or DataFrames (id, name, lat, lon; GeoDataFrames with point geometry too).
"""
import os
import shutil
import tempfile

import pandas as pd

from ._lib import check, ffi, lib, new_error, take_string

_here = os.path.dirname(os.path.abspath(__file__))


def default_data_dir():
    """The built-in default's folder, or None."""
    cands = [os.environ.get("TONGCHENG_DATA_DIR"),
             os.path.normpath(os.path.join(_here, "..", "..", "..", "..", "share", "tongcheng", "changzhutan")),
             os.path.normpath(os.path.join(_here, "..", "..", "data", "changzhutan"))]
    for c in cands:
        if c and os.path.isfile(os.path.join(c, "network.sketch.json")):
            return c
    return None


class CircleReport:
    """What tc_circle_run wrote, read back: .table (circle.csv as a DataFrame), .isochrones (isochrones.geojson as a
    GeoDataFrame), .html (report.html's text), .text (the table `tongcheng circle` prints) and .output_dir (None when
    the files went to a temporary folder, since removed). An output_dir ending in .gpkg is one GeoPackage, read
    back from its layers circle and isochrones (.html is then None)."""

    def __init__(self, output_dir, text, keep):
        import geopandas as gpd
        self.text = text
        self.output_dir = output_dir if keep else None
        if output_dir.lower().endswith(".gpkg"):  # one GeoPackage: layers circle, isochrones, places, cores
            self.table = pd.DataFrame(gpd.read_file(output_dir, layer="circle").drop(columns="geometry"))
            self.isochrones = gpd.read_file(output_dir, layer="isochrones")
            self.isochrones_geojson = self.html = None
            return
        self.table = pd.read_csv(os.path.join(output_dir, "circle.csv"),
                                 dtype={"scenario": str, "place": str, "core": str})
        with open(os.path.join(output_dir, "isochrones.geojson"), encoding="utf-8") as f:
            self.isochrones_geojson = f.read()
        self.isochrones = gpd.read_file(os.path.join(output_dir, "isochrones.geojson"))
        with open(os.path.join(output_dir, "report.html"), encoding="utf-8") as f:
            self.html = f.read()

    def __str__(self):
        return self.text


def _places_csv(value, tmpdir, name):
    if value is None or isinstance(value, (str, os.PathLike)):
        return None if value is None else str(value)
    frame = value
    if hasattr(frame, "crs") and "geometry" in frame.columns and not {"lat", "lon"} <= set(frame.columns):
        g = frame.geometry.to_crs("EPSG:4326") if frame.crs is not None else frame.geometry
        frame = pd.DataFrame(frame.drop(columns="geometry")).assign(lat=g.y, lon=g.x)
    frame = pd.DataFrame(frame)
    if "name" not in frame.columns:
        frame = frame.assign(name=frame["id"])
    path = os.path.join(tmpdir, name)
    frame.to_csv(path, index=False, float_format="%r")
    return path


def run_circle(network_path=None, osm=None, gtfs=(), sketch=(), scenarios=(), cores=None, places=None,
               population=None, population_column=None, date=None, window=("07:00", "09:00"), cutoff=60, access=None,
               max_access=20, car_speed=40, roads=None, car_peak=False, isochrones=True, no_scenarios=False,
               data_dir=None, output_dir=None, progress=False):
    keep = []

    def c(s):
        if s is None:
            return ffi.NULL
        b = ffi.new("char[]", os.fsencode(str(s)))
        keep.append(b)
        return b

    err = new_error()
    o = ffi.new("tc_circle_options *")
    lib.tc_circle_options_init(o)
    tmpdir = tempfile.mkdtemp(prefix="tongcheng-circle-")
    try:
        o.network_path = c(network_path)
        inputs = [(g, 0) for g in ([gtfs] if isinstance(gtfs, str) else gtfs)] + \
                 [(s, 1) for s in ([sketch] if isinstance(sketch, str) else sketch)]
        feeds = ffi.new("tc_feed_source[]", max(1, len(inputs)))
        for i, (p, is_sketch) in enumerate(inputs):
            name = None
            if isinstance(p, tuple):
                name, p = p
            feeds[i].name, feeds[i].path, feeds[i].sketch = c(name), c(p), is_sketch
        o.feeds, o.n_feeds = feeds, len(inputs)
        o.osm_path = c(osm)
        scn = ffi.new("char *[]", [c(s) for s in scenarios] or [ffi.NULL])
        o.scenarios, o.n_scenarios = scn, len(scenarios)
        if not network_path and not inputs and not osm:
            data_dir = data_dir or default_data_dir()
        o.data_dir = c(data_dir)
        o.no_scenarios = 1 if no_scenarios else 0
        o.cores_path = c(_places_csv(cores, tmpdir, "cores.csv"))
        o.places_path = c(_places_csv(places, tmpdir, "places.csv"))
        o.population_path = c(_places_csv(population, tmpdir, "population.csv") if population is not None else None)
        o.population_column = c(population_column)
        if date is not None:
            day = ffi.new("int32_t *")
            text = date if isinstance(date, str) else date.strftime("%Y-%m-%d")
            check(lib.tc_parse_date(text.encode(), day, err), err)
            o.date = day[0]
        secs = ffi.new("int32_t *")
        bounds = []
        for t in window:
            check(lib.tc_parse_clock((t if isinstance(t, str) else t.strftime("%H:%M")).encode(), secs, err), err)
            bounds.append(secs[0])
        o.window_start, o.window_end = bounds
        o.cutoff_min = int(cutoff)
        if access is not None:
            o.access_mode = {"walk": lib.TC_MODE_WALK, "bike": lib.TC_MODE_BIKE, "car": lib.TC_MODE_CAR}[access]
        o.max_access_min = int(max_access)
        o.car_speed_kmh = float(car_speed)
        o.roads_path = c(roads)
        o.car_peak = 1 if car_peak else 0
        o.isochrones = 1 if isochrones else 0
        o.sketch_model = 1 if sketch else 0
        o.progress = 1 if progress else 0
        out_dir = str(output_dir) if output_dir else os.path.join(tmpdir, "report")
        table = ffi.new("char **")
        check(lib.tc_circle_run(o, os.fsencode(out_dir), table, err), err)
        return CircleReport(out_dir, take_string(table), keep=bool(output_dir))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def circle(**kwargs):
    """The one-hour commute circle report, as `tongcheng circle`: with no network_path, gtfs, sketch or osm, the
    built-in Chang-Zhu-Tan default with its shipped scenarios. Returns a CircleReport."""
    return run_circle(**kwargs)
