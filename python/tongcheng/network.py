"""TransportNetwork: a compiled tongcheng network and the analyses on it, with r5py's habits.

Points go in as a GeoDataFrame (point geometry; other geometries use their representative point) or a DataFrame
with id, lat and lon columns; results come out as pandas DataFrames, or GeoDataFrames where they have geometry.
Every analysis calls the same library functions as the `tongcheng` command, with the same defaults, so the numbers
are the CLI's (tests/python checks the CSV bytes). Long runs report progress per block of origins to a callback.
"""
import datetime as _dt
import json
import os
import sys
import tempfile

import numpy as np
import pandas as pd

from ._lib import TongchengError, check, ffi, lib, new_error, take_string

_MODES = {"walk": lib.TC_MODE_WALK, "bike": lib.TC_MODE_BIKE, "car": lib.TC_MODE_CAR}
UNREACHED = 0xFFFF


def _progress_callback(progress, total, desc):
    """progress: None (tqdm when installed and stderr is a terminal), False, True (tqdm), or f(done, total)."""
    if callable(progress):
        return progress, None
    if progress is False or (progress is None and not sys.stderr.isatty()):
        return None, None
    try:
        from tqdm import tqdm
    except ImportError:
        return None, None
    bar = tqdm(total=total, desc=desc, unit="origin")
    state = {"done": 0}

    def update(done, _total):
        bar.update(done - state["done"])
        state["done"] = done

    return update, bar


def _points(frame, what):
    """ids (str), lat, lon (float64 arrays) from a GeoDataFrame or a DataFrame with id, lat, lon."""
    if frame is None:
        raise ValueError("%s: a DataFrame with id, lat, lon (or a GeoDataFrame with id and geometry) is needed" % what)
    if "id" not in frame.columns:
        raise ValueError("%s: no 'id' column" % what)
    geometry = getattr(frame, "geometry", None) if hasattr(frame, "crs") else None
    if geometry is not None and not ({"lat", "lon"} <= set(frame.columns)):
        g = frame.geometry
        if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
            g = g.to_crs("EPSG:4326")
        if not (g.geom_type == "Point").all():
            g = g.representative_point()
        lat, lon = g.y.to_numpy(np.float64), g.x.to_numpy(np.float64)
    else:
        for c in ("lat", "lon"):
            if c not in frame.columns:
                raise ValueError("%s: no '%s' column" % (what, c))
        lat = pd.to_numeric(frame["lat"], errors="raise").to_numpy(np.float64)
        lon = pd.to_numeric(frame["lon"], errors="raise").to_numpy(np.float64)
    ids = [str(v) for v in frame["id"]]
    if len(set(ids)) != len(ids):
        raise ValueError("%s: ids are not unique" % what)
    return ids, np.ascontiguousarray(lat), np.ascontiguousarray(lon)


def _clock(t):
    if isinstance(t, str):
        return t
    return "%02d:%02d" % (t.hour, t.minute)


class TransportNetwork:
    """A compiled network, opened (memory-mapped) once and shared by every analysis on it.

    TransportNetwork(osm="city.pbf", gtfs=["a.zip", "b.zip"]) builds one (into `path` if given, else a temporary
    file removed on close); TransportNetwork.load(path) opens a file made by `tongcheng build`.
    """

    def __init__(self, osm=None, gtfs=(), path=None, sketch=(), scenarios=(), transfer_radius=None, _open=None):
        self._net = None
        self._tmp = None
        if _open is not None:
            self.path = _open
        else:
            if isinstance(gtfs, (str, os.PathLike)):
                gtfs = [gtfs]
            if isinstance(sketch, (str, os.PathLike)):
                sketch = [sketch]
            if not gtfs and not sketch and not osm:
                raise ValueError("TransportNetwork: give osm=, gtfs=[...] or sketch=[...]")
            if path is None:
                fd, path = tempfile.mkstemp(suffix=".tcnet", prefix="tongcheng-")
                os.close(fd)
                self._tmp = path
            self.path = str(path)
            keep = []

            def c(s):
                b = ffi.new("char[]", os.fsencode(str(s)))
                keep.append(b)
                return b

            opts = ffi.new("tc_build_options *")
            lib.tc_build_options_init(opts)
            inputs = [(g, 0) for g in gtfs] + [(s, 1) for s in sketch]
            feeds = ffi.new("tc_feed_source[]", max(1, len(inputs)))
            for i, (p, is_sketch) in enumerate(inputs):
                name = None
                if isinstance(p, tuple):  # (name, path)
                    name, p = p
                feeds[i].name = c(name) if name else ffi.NULL
                feeds[i].path = c(p)
                feeds[i].sketch = is_sketch
            opts.feeds = feeds
            opts.n_feeds = len(inputs)
            opts.osm_path = c(osm) if osm else ffi.NULL
            if transfer_radius is not None:
                opts.transfer_radius_m = float(transfer_radius)
            scn = ffi.new("char *[]", [c(s) for s in scenarios] or [ffi.NULL])
            opts.scenarios = scn
            opts.n_scenarios = len(scenarios)
            err = new_error()
            try:
                check(lib.tc_build(opts, os.fsencode(self.path), err), err)
            except TongchengError:
                self._remove_tmp()
                raise
        err = new_error()
        netp = ffi.new("tc_network **")
        check(lib.tc_network_open(os.fsencode(str(self.path)), netp, err), err)
        self._net = netp[0]

    @classmethod
    def load(cls, path):
        """Open a network file written by `tongcheng build` (or by TransportNetwork(..., path=))."""
        return cls(_open=str(path))

    def _remove_tmp(self):
        if self._tmp:
            try:
                os.unlink(self._tmp)
            except FileNotFoundError:
                pass
            self._tmp = None

    def close(self):
        if self._net is not None:
            lib.tc_network_close(self._net)
            self._net = None
        self._remove_tmp()

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _handle(self):
        if self._net is None:
            raise ValueError("the network is closed")
        return self._net

    @property
    def info(self):
        """The `tongcheng info --json` object as a dict."""
        err = new_error()
        out = ffi.new("char **")
        check(lib.tc_network_info_json(self._handle(), out, err), err)
        return json.loads(take_string(out))

    # ------------------------------------------------------------------ options

    def _options(self, departure, window, percentiles, modes, max_time, max_walk_time, max_transfers, draws, seed,
                 threads):
        """The CLI's analysis options: --date, --window, --percentiles, --modes, --max-duration, ... ."""
        o = ffi.new("tc_analysis_options *")
        lib.tc_analysis_options_init(o)
        err = new_error()
        if departure is None:
            raise ValueError("departure (a datetime) is required")
        if isinstance(departure, str):
            departure = _dt.datetime.fromisoformat(departure)
        day = ffi.new("int32_t *")
        check(lib.tc_parse_date(departure.strftime("%Y-%m-%d").encode(), day, err), err)
        o.date = day[0]
        start = departure.hour * 3600 + departure.minute * 60
        if window is None:
            window = _dt.timedelta(minutes=10)
        if not isinstance(window, _dt.timedelta):
            window = _dt.timedelta(minutes=float(window))
        minutes = int(window.total_seconds() // 60)
        if minutes < 1:
            raise ValueError("window: at least one minute")
        o.window_start, o.window_end = start, start + 60 * minutes
        percentiles = list(percentiles) if percentiles is not None else [50]
        if not 1 <= len(percentiles) <= 5 or any(not 0 <= int(p) <= 100 for p in percentiles):
            raise ValueError("percentiles: one to five values in 0..100")
        for k, p in enumerate(percentiles):
            o.percentiles[k] = int(p)
        o.n_percentiles = len(percentiles)
        modes = [m.lower() for m in ([modes] if isinstance(modes, str) else (modes or ["transit"]))]
        unknown = [m for m in modes if m not in ("transit", "walk", "bike", "car")]
        if unknown:
            raise ValueError("modes: unknown %s (walk, bike, car, transit)" % ", ".join(unknown))
        if "transit" in modes:
            o.street_only = 0
            access = [m for m in modes if m != "transit"]
            if access:
                o.mode = _MODES[access[0]]
        else:
            if len(modes) != 1:
                raise ValueError("modes: one street mode (walk, bike or car) without transit")
            o.street_only, o.mode = 1, _MODES[modes[0]]
        if max_time is not None:
            o.max_duration_min = int(max_time.total_seconds() // 60 if isinstance(max_time, _dt.timedelta)
                                     else max_time)
        if max_walk_time is not None:
            o.max_access_min = int(max_walk_time.total_seconds() // 60 if isinstance(max_walk_time, _dt.timedelta)
                                   else max_walk_time)
        if max_transfers is not None:
            o.max_transfers = int(max_transfers)
        if draws is not None:
            o.draws = int(draws)
        if seed is not None:
            o.seed = int(seed)
        if threads is not None:
            o.threads = int(threads)
        o.progress = 0
        return o, percentiles

    def _destinations(self, o, lat, lon):
        err = new_error()
        d = ffi.new("tc_destinations **")
        check(lib.tc_destinations_create(self._handle(), o, ffi.from_buffer("double[]", lat),
                                         ffi.from_buffer("double[]", lon), len(lat), d, err), err)
        return ffi.gc(d[0], lib.tc_destinations_free)

    def _minutes(self, o, dest, n_dest, olat, olon, progress, desc):
        """Yield (first origin, uint16 array [n, n_dest, n_percentiles]) block by block."""
        n = len(olat)
        np_ = o.n_percentiles
        threads = o.threads or os.cpu_count() or 1
        # Each call sets up its threads' search workspaces: blocks of many origins keep that cost small (measured on
        # Porto Alegre, 1,227 x 1,227: 12-origin blocks took 21 s, 128-origin blocks as long as the CLI's one block);
        # about 20 blocks still give a smooth progress bar. At most ~32 M travel times held, as the CLI.
        block = max(threads * 64, -(-n // 20))
        block = min(block, max(1, (32 << 20) // max(1, n_dest * np_)))
        report, bar = _progress_callback(progress, n, desc)
        err = new_error()
        try:
            for o0 in range(0, n, block):
                k = min(block, n - o0)
                out = np.empty((k, n_dest, np_), dtype=np.uint16)
                check(lib.tc_travel_time_matrix(self._handle(), dest, o,
                                                ffi.from_buffer("double[]", olat[o0:o0 + k]),
                                                ffi.from_buffer("double[]", olon[o0:o0 + k]), k,
                                                ffi.from_buffer("uint16_t[]", out), err), err)
                yield o0, out
                if report:
                    report(o0 + k, n)
        finally:
            if bar is not None:
                bar.close()

    # ------------------------------------------------------------------ analyses

    def travel_time_matrix(self, origins, destinations=None, departure=None, window=None, percentiles=(50,),
                           modes=("transit", "walk"), max_time=None, max_walk_time=None, max_transfers=None,
                           draws=None, seed=None, threads=None, progress=None):
        """Travel times in minutes from every origin to every destination, as `tongcheng matrix`: a DataFrame
        from_id, to_id, travel_time_p<P>... (nullable integers; <NA> = not reached within max_time)."""
        o, pcts = self._options(departure, window, percentiles, modes, max_time, max_walk_time, max_transfers,
                                draws, seed, threads)
        oid, olat, olon = _points(origins, "origins")
        did, dlat, dlon = _points(destinations if destinations is not None else origins, "destinations")
        dest = self._destinations(o, dlat, dlon)
        parts = [out for _, out in self._minutes(o, dest, len(did), olat, olon, progress, "travel times")]
        mins = np.concatenate(parts) if parts else np.empty((0, len(did), len(pcts)), np.uint16)
        frame = pd.DataFrame({"from_id": np.repeat(np.array(oid, dtype=object), len(did)),
                              "to_id": np.tile(np.array(did, dtype=object), len(oid))})
        for k, p in enumerate(pcts):
            col = mins[:, :, k].reshape(-1)
            unreached = col == UNREACHED
            frame["travel_time_p%d" % p] = pd.arrays.IntegerArray(np.where(unreached, 0, col).astype(np.int64),
                                                                  unreached)
        return frame

    def accessibility(self, origins, destinations, opportunities, cutoffs=(30, 60), decay="step", departure=None,
                      window=None, percentiles=(50,), modes=("transit", "walk"), max_time=None, max_walk_time=None,
                      max_transfers=None, draws=None, seed=None, threads=None, progress=None):
        """Opportunities reachable from every origin, as `tongcheng access`: a DataFrame id, column, cutoff,
        percentile, accessibility. `opportunities` names columns of `destinations` (empty / NA count as 0).
        When `origins` is a GeoDataFrame, the result is a GeoDataFrame joined to its geometry (points or
        hexagons)."""
        if isinstance(opportunities, str):
            opportunities = [opportunities]
        cutoffs = [int(c) for c in ([cutoffs] if isinstance(cutoffs, int) else cutoffs)]
        if not cutoffs or any(c < 1 for c in cutoffs):
            raise ValueError("cutoffs: at least one, each at least 1 minute")
        o, pcts = self._options(departure, window, percentiles, modes, max_time, max_walk_time, max_transfers,
                                draws, seed, threads)
        oid, olat, olon = _points(origins, "origins")
        did, dlat, dlon = _points(destinations, "destinations")
        columns, values = [], []
        lower = {c.lower(): c for c in destinations.columns}
        for name in opportunities:
            col = lower.get(name.lower())
            if col is None:
                raise TongchengError("not_found", "no column named '%s' in the opportunities" % name)
            v = pd.to_numeric(destinations[col], errors="coerce")
            bad = v.isna() & destinations[col].notna() & (destinations[col].astype(str).str.strip() != "")
            if bad.any():
                raise TongchengError("parse", "column '%s' is not numeric: '%s' (expected a number of opportunities)"
                                     % (name, destinations[col][bad].iloc[0]))
            columns.append(name)
            values.append(np.ascontiguousarray(v.fillna(0).to_numpy(np.float64)))
        dest = self._destinations(o, dlat, dlon)
        col_ptrs = ffi.new("double *[]", [ffi.from_buffer("double[]", v) for v in values])
        cut = ffi.new("int[]", cutoffs)
        n_per = len(columns) * len(cutoffs) * len(pcts)
        acc = np.empty((len(oid), n_per), dtype=np.float64)
        err = new_error()
        decay_c = ffi.new("char[]", (decay or "step").encode())
        for o0, out in self._minutes(o, dest, len(did), olat, olon, progress, "accessibility"):
            for i in range(out.shape[0]):
                check(lib.tc_accessibility_from(ffi.from_buffer("uint16_t[]", out[i]), len(did), len(pcts), col_ptrs,
                                                len(columns), cut, len(cutoffs), decay_c,
                                                ffi.from_buffer("double[]", acc[o0 + i]), err), err)
        grid = [(c, k, p) for c in columns for k in cutoffs for p in pcts]
        frame = pd.DataFrame({
            "id": np.repeat(np.array(oid, dtype=object), n_per),
            "column": np.tile(np.array([g[0] for g in grid], dtype=object), len(oid)),
            "cutoff": np.tile(np.array([g[1] for g in grid], dtype=np.int64), len(oid)),
            "percentile": np.tile(np.array([g[2] for g in grid], dtype=np.int64), len(oid)),
            "accessibility": acc.reshape(-1),
        })
        if hasattr(origins, "crs") and "geometry" in origins.columns:
            import geopandas as gpd
            geo = origins[["id", "geometry"]].copy()
            geo["id"] = geo["id"].astype(str)
            frame = gpd.GeoDataFrame(frame.merge(geo, on="id", how="left"), geometry="geometry", crs=origins.crs)
        return frame

    def isochrones(self, origin, departure=None, cutoffs=(15, 30, 45, 60), window=None, percentiles=(50,),
                   modes=("transit", "walk"), resolution=None, max_time=None, max_walk_time=None, max_transfers=None,
                   draws=None, seed=None, threads=None):
        """Polygons reachable within each cutoff from one point (lat, lon), a one-row frame or a shapely point, as
        `tongcheng isochrone`: a GeoDataFrame with cutoff_min, percentile, area_km2 (EPSG:4326). The GeoJSON text
        the library wrote is kept in .attrs["geojson"]."""
        import geopandas as gpd
        if hasattr(origin, "columns"):
            _, lat, lon = _points(origin, "origin")
            if len(lat) != 1:
                raise ValueError("origin: one point")
            lat, lon = float(lat[0]), float(lon[0])
        elif hasattr(origin, "x") and hasattr(origin, "y"):
            lat, lon = float(origin.y), float(origin.x)
        else:
            lat, lon = (float(v) for v in origin)
        cutoffs = [int(c) for c in ([cutoffs] if isinstance(cutoffs, int) else cutoffs)]
        if not cutoffs or any(c < 1 for c in cutoffs):
            raise ValueError("cutoffs: at least one, each at least 1 minute")
        o, _ = self._options(departure, window if window is not None else _dt.timedelta(minutes=1), percentiles,
                             modes, max_time, max_walk_time, max_transfers, draws, seed, threads)
        err = new_error()
        out = ffi.new("char **")
        check(lib.tc_isochrones(self._handle(), o, lat, lon, ffi.new("int[]", cutoffs), len(cutoffs),
                                float(resolution or 0), out, err), err)
        text = take_string(out)
        features = json.loads(text)["features"]
        frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326") if features else \
            gpd.GeoDataFrame({"cutoff_min": [], "percentile": [], "area_km2": []}, geometry=[], crs="EPSG:4326")
        frame.attrs["geojson"] = text
        return frame

    def detailed_itineraries(self, origins, destinations, departure=None, all_to_all=False, max_transfers=None,
                             max_time=None, max_walk_time=None, walk_speed=None, arrive_by=False):
        """Door-to-door journeys (the Pareto set over arrival and transfers, as `tongcheng route`) from each origin
        to the destination of the same row (every destination with all_to_all=True): a GeoDataFrame with one row
        per leg — from_id, to_id, option, segment, mode, route, route_name, trip, from_stop, to_stop,
        departure_time, arrival_time, travel_time (minutes), geometry (walk legs along the streets; transit legs
        from boarding to alighting stop). The raw `route --json` text per pair is in .attrs["json"]."""
        import geopandas as gpd
        from shapely.geometry import LineString
        oid, olat, olon = _points(origins, "origins")
        did, dlat, dlon = _points(destinations, "destinations")
        if all_to_all:
            pairs = [(i, j) for i in range(len(oid)) for j in range(len(did))]
        else:
            if len(oid) != len(did):
                raise ValueError("origins and destinations differ in length (use all_to_all=True)")
            pairs = [(i, i) for i in range(len(oid))]
        if departure is None:
            raise ValueError("departure (a datetime) is required")
        if isinstance(departure, str):
            departure = _dt.datetime.fromisoformat(departure)
        err = new_error()
        day = ffi.new("int32_t *")
        check(lib.tc_parse_date(departure.strftime("%Y-%m-%d").encode(), day, err), err)
        q = ffi.new("tc_route_query *")
        lib.tc_route_query_init(q)
        q.date = day[0]
        q.time = departure.hour * 3600 + departure.minute * 60 + departure.second
        q.arrive_by = 1 if arrive_by else 0
        if max_transfers is not None:
            q.max_transfers = int(max_transfers)
        if max_time is not None:
            q.max_duration_min = int(max_time)
        if max_walk_time is not None:
            q.max_walk_access_min = q.max_walk_egress_min = float(max_walk_time)
        if walk_speed is not None:
            q.walk_speed_mps = float(walk_speed) / 3.6
        sopts = ffi.new("tc_street_options *")
        lib.tc_street_options_init(sopts)
        if walk_speed is not None:
            sopts.walk_speed_mps = float(walk_speed) / 3.6
        rows, texts = [], {}
        buf = ffi.new("char[32]")

        def clock(t):
            lib.tc_format_local_time(t, buf)
            return pd.Timestamp(ffi.string(buf).decode())

        def s(p):
            return ffi.string(p).decode() if p != ffi.NULL else None

        for i, j in pairs:
            q.from_lat, q.from_lon, q.to_lat, q.to_lon = olat[i], olon[i], dlat[j], dlon[j]
            setp = ffi.new("tc_journey_set **")
            check(lib.tc_route(self._handle(), q, setp, err), err)
            js = setp[0]
            try:
                out = ffi.new("char **")
                check(lib.tc_journeys_json(js, out, err), err)
                texts[(oid[i], did[j])] = take_string(out)
                for k in range(js.n):
                    jr = js.journeys[k]
                    for g in range(jr.n_legs):
                        leg = jr.legs[g]
                        line = [(getattr(leg, "from").lon, getattr(leg, "from").lat), (leg.to.lon, leg.to.lat)]
                        if leg.mode == lib.TC_LEG_WALK:
                            line = self._street_line(leg, sopts) or line
                        rows.append({
                            "from_id": oid[i], "to_id": did[j], "option": k, "segment": g,
                            "mode": "walk" if leg.mode == lib.TC_LEG_WALK else _route_type_name(leg.route_type),
                            "route": s(leg.route), "route_name": s(leg.route_name), "trip": s(leg.trip),
                            "from_stop": s(getattr(leg, "from").stop), "to_stop": s(leg.to.stop),
                            "departure_time": clock(leg.departure), "arrival_time": clock(leg.arrival),
                            "travel_time": (leg.arrival - leg.departure) / 60.0,
                            "geometry": LineString(line),
                        })
            finally:
                lib.tc_journey_set_free(js)
        columns = ["from_id", "to_id", "option", "segment", "mode", "route", "route_name", "trip", "from_stop",
                   "to_stop", "departure_time", "arrival_time", "travel_time", "geometry"]
        frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry", crs="EPSG:4326")
        frame.attrs["json"] = texts
        return frame

    def circle(self, cores, places=None, population=None, date=None, window=("07:00", "09:00"), cutoff=60,
               access=None, output_dir=None, **kwargs):
        """The one-hour commute circle report on this network (the baseline: scenarios need the inputs, see
        tongcheng.circle), as `tongcheng circle NET --cores ...`. Returns a CircleReport."""
        from .circle import run_circle
        return run_circle(network_path=self.path, cores=cores, places=places, population=population, date=date,
                          window=window, cutoff=cutoff, access=access, output_dir=output_dir, **kwargs)

    def _street_line(self, leg, sopts):
        err = new_error()
        r = ffi.new("tc_street_result *")
        st = lib.tc_street_route(self._handle(), lib.TC_MODE_WALK, getattr(leg, "from").lat, getattr(leg, "from").lon, leg.to.lat,
                                 leg.to.lon, sopts, r, err)
        if st != lib.TC_OK:
            return None
        try:
            if r.straight_line or r.n_points < 2:
                return None
            pts = [(getattr(leg, "from").lon, getattr(leg, "from").lat)]
            pts += [(r.lon[k], r.lat[k]) for k in range(r.n_points)]
            pts.append((leg.to.lon, leg.to.lat))
            return pts
        finally:
            lib.tc_street_result_free(r)


def _route_type_name(t):
    base = {0: "tram", 1: "subway", 2: "rail", 3: "bus", 4: "ferry", 5: "cable_tram", 6: "aerial_lift",
            7: "funicular", 11: "trolleybus", 12: "monorail"}
    if t in base:
        return base[t]
    if 100 <= t < 200:
        return "rail"
    if 200 <= t < 300:
        return "coach"
    if 400 <= t < 500:
        return "subway"
    if 700 <= t < 800:
        return "bus"
    if 900 <= t < 1000:
        return "tram"
    return "transit"
