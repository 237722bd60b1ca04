/* test_analysis_gpkg.c — the GeoPackage writer's contract without reading GDAL's output (the integration test
 * gpkg_output.sh reads files back with ogrinfo): a points CSV keeps its "geometry" column as text for it; a
 * committed GeoPackage lands under its name with no temporary file left; an aborted or failed one leaves nothing;
 * a bad geometry is an error naming it; the ".gpkg" test is by suffix, any case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "analysis/gpkg_out.h"
#include "analysis/points.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/tc-gpkg-test.XXXXXX";

static int files_in_dir(void) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) n += e->d_name[0] != '.';
    if (d) closedir(d);
    return n;
}

static void test_points_keep_wkt(void **state) {
    (void)state;
    static const char csv[] = "id,lat,lon,jobs,geometry\n"
                              "a,1.5,2.5,3,\"POLYGON ((2 1, 3 1, 3 2, 2 1))\"\n"
                              "b,1.6,2.6,4,\n";
    tc_points *p = NULL;
    tc_error err = {0};
    assert_int_equal(tc_points_parse("t.csv", csv, sizeof csv - 1, NULL, NULL, &p, &err), TC_OK);
    assert_non_null(p->wkt);
    assert_string_equal(p->wkt[0], "POLYGON ((2 1, 3 1, 3 2, 2 1))");
    assert_string_equal(p->wkt[1], "");
    const double *jobs = NULL;
    assert_int_equal(tc_points_column_values(p, "jobs", NULL, NULL, &jobs, &err), TC_OK);
    assert_true(jobs[0] == 3 && jobs[1] == 4);
    assert_int_equal(tc_points_column_values(p, "geometry", NULL, NULL, &jobs, &err), TC_ERR_NOT_FOUND); /* not a number */
    tc_points_free(p);
    static const char plain[] = "id,lat,lon\nx,1,2\n";
    assert_int_equal(tc_points_parse("t.csv", plain, sizeof plain - 1, NULL, NULL, &p, &err), TC_OK);
    assert_null(p->wkt);
    tc_points_free(p);
}

static void test_commit_and_abort(void **state) {
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/out.gpkg", dir);
    tc_error err = {0};
    gpkg_writer *g = NULL;
    static const gpkg_field f[] = {{"id", TC_GPKG_TEXT}, {"n", TC_GPKG_INTEGER}, {"x", TC_GPKG_REAL}};
    assert_int_equal(gpkg_create(path, &g, &err), TC_OK);
    assert_int_equal(gpkg_layer(g, "things", TC_GPKG_POINTS, f, 3, &err), TC_OK);
    gpkg_value v[3] = {{.text = "one"}, {.integer = 7}, {.null = 1}};
    gpkg_geometry at = {.kind = TC_GEOM_POINT, .lat = 30, .lon = 110};
    assert_int_equal(gpkg_add(g, v, &at, &err), TC_OK);
    gpkg_geometry bad = {.kind = TC_GEOM_WKT, .text = "POLYGON ((oops"};
    assert_int_equal(gpkg_add(g, v, &bad, &err), TC_ERR_PARSE);
    assert_non_null(strstr(err.message, "POLYGON ((oops"));
    assert_int_equal(gpkg_layer(g, "table", TC_GPKG_NO_GEOMETRY, f, 1, &err), TC_OK);
    assert_int_equal(gpkg_add(g, v, NULL, &err), TC_OK);
    assert_int_equal(access(path, F_OK), -1); /* only the temporary file (and SQLite's journal) so far */
    assert_int_equal(gpkg_commit(g, &err), TC_OK);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size > 1000);
    assert_int_equal(files_in_dir(), 1); /* the GeoPackage alone */
    unlink(path);

    assert_int_equal(gpkg_create(path, &g, &err), TC_OK);
    assert_int_equal(gpkg_layer(g, "things", TC_GPKG_POINTS, f, 3, &err), TC_OK);
    gpkg_abort(g);
    assert_int_equal(files_in_dir(), 0);

    char nowhere[300];
    snprintf(nowhere, sizeof nowhere, "%s/no/such/dir/out.gpkg", dir);
    assert_int_not_equal(gpkg_create(nowhere, &g, &err), TC_OK);
    assert_non_null(strstr(err.file, "out.gpkg"));
}

static void test_gpkg_path(void **state) {
    (void)state;
    assert_true(tc_gpkg_path("a/b.gpkg"));
    assert_true(tc_gpkg_path("B.GPKG"));
    assert_false(tc_gpkg_path("b.geojson"));
    assert_false(tc_gpkg_path(".gpkg"));
    assert_false(tc_gpkg_path(NULL));
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points_keep_wkt),
        cmocka_unit_test(test_commit_and_abort),
        cmocka_unit_test(test_gpkg_path),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(dir);
    return rc;
}
