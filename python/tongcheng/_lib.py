"""Loading libtongcheng through cffi (ABI mode: no compiler needed at install time).

The declarations below mirror include/tongcheng.h field for field; cffi lays the structs out as the C compiler
does. A drift between the two would corrupt results rather than fail loudly, which is why tests/python compares
every analysis with the CLI's output byte for byte. The library is looked for in $TONGCHENG_LIBRARY, beside an
installed package (PREFIX/lib[/MULTIARCH]), in the source tree's build/ folder, then by the system loader.
"""
import ctypes.util
import os
import sysconfig

import cffi

ffi = cffi.FFI()
ffi.cdef(r"""
typedef enum tc_status {
    TC_OK = 0, TC_ERR_INVALID_ARGUMENT = 1, TC_ERR_IO = 2, TC_ERR_PARSE = 3, TC_ERR_FORMAT = 4,
    TC_ERR_NO_MEMORY = 5, TC_ERR_NOT_FOUND = 6, TC_ERR_NO_SERVICE = 7, TC_ERR_UNREACHABLE = 8, TC_ERR_INTERNAL = 9
} tc_status;
typedef struct tc_error {
    tc_status code; char message[512]; char file[256]; long line; long column;
} tc_error;
const char *tc_status_name(tc_status status);
typedef enum tc_severity { TC_SEV_WARNING = 1, TC_SEV_ERROR = 2 } tc_severity;
typedef struct tc_finding {
    tc_severity severity; const char *code; const char *file; long line; long column; const char *message;
} tc_finding;
typedef void (*tc_finding_fn)(void *user, const tc_finding *finding);
typedef struct tc_feed_source { const char *name; const char *path; int sketch; } tc_feed_source;
typedef struct tc_build_options {
    const tc_feed_source *feeds; size_t n_feeds; const char *osm_path; double transfer_radius_m;
    double walk_speed_mps; double straight_line_detour; double snap_radius_m; int progress;
    tc_finding_fn on_finding; void *finding_user; const char *const *scenarios; size_t n_scenarios;
} tc_build_options;
void tc_build_options_init(tc_build_options *opts);
tc_status tc_build(const tc_build_options *opts, const char *out_path, tc_error *err);

typedef struct tc_network tc_network;
tc_status tc_network_open(const char *path, tc_network **out, tc_error *err);
void tc_network_close(tc_network *net);
tc_status tc_network_info_json(const tc_network *net, char **json_out, tc_error *err);
void tc_free(void *p);
tc_status tc_parse_date(const char *text, int32_t *day_out, tc_error *err);
tc_status tc_parse_clock(const char *text, int32_t *seconds_out, tc_error *err);

typedef enum tc_mode { TC_MODE_WALK = 0, TC_MODE_BIKE = 1, TC_MODE_CAR = 2 } tc_mode;
typedef struct tc_street_options {
    double walk_speed_mps; double bike_speed_mps; double car_speed_mps; double snap_radius_m;
} tc_street_options;
void tc_street_options_init(tc_street_options *opts);
typedef struct tc_street_result {
    double distance_m, duration_s; size_t n_points; double *lat, *lon; double from_snap_m, to_snap_m;
    int straight_line;
} tc_street_result;
tc_status tc_street_route(const tc_network *net, tc_mode mode, double from_lat, double from_lon, double to_lat,
                          double to_lon, const tc_street_options *opts, tc_street_result *out, tc_error *err);
void tc_street_result_free(tc_street_result *result);

typedef struct tc_route_query {
    const char *from_stop; double from_lat, from_lon; const char *to_stop; double to_lat, to_lon;
    int32_t date; int32_t time; int arrive_by; int max_transfers; int max_duration_min;
    double max_walk_access_min; double max_walk_egress_min; double max_walk_transfer_min; double walk_speed_mps;
    int32_t min_transfer_time_s; int wheelchair; const int *route_types; size_t n_route_types;
    const char *exclude_routes; const char *exclude_trips; const char *exclude_stops;
} tc_route_query;
void tc_route_query_init(tc_route_query *q);
typedef enum tc_leg_mode { TC_LEG_WALK = 0, TC_LEG_TRANSIT = 1 } tc_leg_mode;
typedef struct tc_place { char *stop; char *name; double lat, lon; } tc_place;
typedef struct tc_leg {
    tc_leg_mode mode; tc_place from, to; int64_t departure, arrival; char *route, *route_name, *trip;
    int route_type;
} tc_leg;
typedef struct tc_journey {
    int64_t departure, arrival; int32_t duration_s, transfers, walk_s; size_t n_legs; tc_leg *legs;
} tc_journey;
typedef struct tc_journey_set { size_t n; tc_journey *journeys; } tc_journey_set;
tc_status tc_route(const tc_network *net, const tc_route_query *q, tc_journey_set **out, tc_error *err);
tc_status tc_journeys_json(const tc_journey_set *set, char **json_out, tc_error *err);
void tc_format_local_time(int64_t t, char *buf);
void tc_journey_set_free(tc_journey_set *set);

typedef struct tc_analysis_options {
    int32_t date; int32_t window_start; int32_t window_end; int percentiles[5]; size_t n_percentiles;
    int max_duration_min; int draws; uint64_t seed; int street_only; tc_mode mode; tc_mode egress_mode;
    double walk_speed_mps; double bike_speed_mps; int max_access_min; int max_transfers; int threads; int progress;
} tc_analysis_options;
void tc_analysis_options_init(tc_analysis_options *opts);
typedef struct tc_destinations tc_destinations;
tc_status tc_destinations_create(const tc_network *net, const tc_analysis_options *opts, const double *lat,
                                 const double *lon, size_t n, tc_destinations **out, tc_error *err);
void tc_destinations_free(tc_destinations *dest);
tc_status tc_travel_time_matrix(const tc_network *net, const tc_destinations *dest, const tc_analysis_options *opts,
                                const double *origin_lat, const double *origin_lon, size_t n_origins,
                                uint16_t *out, tc_error *err);
tc_status tc_isochrones(const tc_network *net, const tc_analysis_options *opts, double lat, double lon,
                        const int *cutoffs_min, size_t n_cutoffs, double resolution_m, char **geojson_out,
                        tc_error *err);
tc_status tc_accessibility_from(const uint16_t *percentile_minutes, size_t n_dest, size_t n_percentiles,
                                const double *const *opportunities, size_t n_columns, const int *cutoffs_min,
                                size_t n_cutoffs, const char *decay, double *out, tc_error *err);

typedef struct tc_circle_options {
    const char *network_path; const tc_feed_source *feeds; size_t n_feeds; const char *osm_path;
    const char *const *scenarios; size_t n_scenarios; const char *data_dir; int no_scenarios;
    const char *cores_path; const char *places_path; const char *population_path; const char *population_column;
    int32_t date; int32_t window_start, window_end; int cutoff_min; int access_mode; int max_access_min;
    double car_speed_kmh; const char *roads_path; int car_peak; int isochrones; const char *network_label; int sketch_model; int progress;
    tc_finding_fn on_finding; void *finding_user;
} tc_circle_options;
void tc_circle_options_init(tc_circle_options *opts);
tc_status tc_circle_run(const tc_circle_options *opts, const char *out_dir, char **table_out, tc_error *err);
""")

SONAME = "libtongcheng.so.0.1"
_here = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    env = os.environ.get("TONGCHENG_LIBRARY")
    if env:
        yield env
        return
    # Installed: PREFIX/lib/python3/dist-packages/tongcheng -> PREFIX/lib[/MULTIARCH]/libtongcheng.so.X.Y
    prefix_lib = os.path.normpath(os.path.join(_here, "..", "..", ".."))
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    for d in (prefix_lib, os.path.join(prefix_lib, multiarch)):
        yield os.path.join(d, SONAME)
    # The source tree: python/tongcheng -> build/
    yield os.path.join(_here, "..", "..", "build", SONAME)
    found = ctypes.util.find_library("tongcheng")
    if found:
        yield found


def _load():
    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            return ffi.dlopen(path), os.path.realpath(path) if os.path.exists(path) else path
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("tongcheng: cannot find %s (set TONGCHENG_LIBRARY); tried: %s" % (SONAME, "; ".join(tried)))


lib, path = _load()


class TongchengError(Exception):
    """A failed tongcheng call: status name (code), message, and the input file, line and column it concerns."""

    def __init__(self, code, message, file="", line=0, column=0):
        self.code, self.message, self.file, self.line, self.column = code, message, file, line, column
        where = file
        if file and line:
            where += ":%d" % line
            if column:
                where += ":%d" % column
        super().__init__("%s: %s" % (where, message) if where else message)


def new_error():
    return ffi.new("tc_error *")


def check(status, err):
    if status != lib.TC_OK:
        raise TongchengError(ffi.string(lib.tc_status_name(status)).decode(),
                             ffi.string(err.message).decode("utf-8", "replace"),
                             ffi.string(err.file).decode("utf-8", "replace"), err.line, err.column)


def take_string(ptr):
    """A library-allocated NUL-terminated string, freed after copying."""
    try:
        return ffi.string(ptr[0]).decode("utf-8")
    finally:
        lib.tc_free(ptr[0])
