#!/usr/bin/env python3
"""hubs_api_test.py — POST /v1/hubs against `tongcheng hubs` on the same network and inputs.

usage: hubs_api_test.py TONGCHENG NET HUBS.csv GRID.csv PREFIX WORKDIR

PREFIX is the prefix of the CLI's outputs for the same hubs, grid, cutoffs 5,10,20, date 2026-12-01, 08:00, tiers
terminal,common,regional with 15,15 minutes. The server is started on 127.0.0.1 (port 0) and stopped here. Checks:
every catchment (cells, population, jobs), the nearest-hub minutes of every cell and the tier check equal the CLI's;
bad bodies get 400 naming the field; more hubs than the limit get 413.
"""
import csv
import http.client
import json
import sys

from serve_util import Served

TC, NET, HUBS, GRID, PREFIX, WORK = sys.argv[1:7]
failures = checks = 0


def check(cond, what):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print("FAIL:", what, flush=True)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


srv = Served(TC, NET, WORK, "--threads", "2", name="hubs-serve")
port = srv.port
try:
    def post(body):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        try:
            c.request("POST", "/v1/hubs", body=json.dumps(body), headers={"Content-Type": "application/json"})
            r = c.getresponse()
            return r.status, json.loads(r.read() or b"null")
        finally:
            c.close()

    hubs = [{"id": h["id"], "name": h["name"], "lat": float(h["lat"]), "lon": float(h["lon"]), "type": h["type"]}
            for h in rows(HUBS)]
    cells = [{"id": g["id"], "lat": float(g["lat"]), "lon": float(g["lon"]), "population": float(g["population"]),
              "jobs": float(g["jobs"])} for g in rows(GRID)]
    body = {"hubs": hubs, "cells": cells, "cutoffs": [5, 10, 20], "date": "2026-12-01", "time": "08:00",
            "tiers": ["terminal", "common", "regional"], "tier_minutes": [15, 15]}
    st, ans = post(body)
    check(st == 200, "POST /v1/hubs: HTTP %d %s" % (st, str(ans)[:300]))
    if st == 200:
        by_hub = {h["id"]: h for h in ans["hubs"]}
        n = 0
        for row in rows(PREFIX + ".catchments.csv"):
            if row["hub_id"] not in by_hub:
                continue
            k = ans["cutoffs_min"].index(int(row["cutoff_min"]))
            got = by_hub[row["hub_id"]]["catchments"][k]
            check(got["cells"] == int(row["cells"]) and abs(got["population"] - float(row["population"])) < 0.5 and
                  abs(got["jobs"] - float(row["jobs"])) < 0.5,
                  "hub %s cutoff %s: API %s, CLI %s" % (row["hub_id"], row["cutoff_min"], got, row))
            n += 1
        check(n == len(hubs) * 3, "every hub and cutoff compared (%d)" % n)
        check(sum(h["catchments"][-1]["cells"] for h in ans["hubs"]) > 0, "some cell is reached")
        cli_near = {r["id"]: r for r in rows(PREFIX + ".nearest.csv")}
        same = 0
        for cell in ans["cells"]:
            want = cli_near[cell["id"]]
            ok = all((cell["nearest_min"][t] is None and want["min_to_" + t] == "") or
                     (cell["nearest_min"][t] is not None and str(cell["nearest_min"][t]) == want["min_to_" + t])
                     for t in ans["types"])
            same += ok
        check(same == len(cells), "nearest-hub minutes equal the CLI's for %d of %d cells" % (same, len(cells)))
        for row in rows(PREFIX + ".tiers.csv"):
            t = by_hub[row["hub_id"]]["tier"]
            check(t is not None and str(t["from_next_tier_min"]) == row["minutes"] and t["ok"] == (row["ok"] == "yes"),
                  "tier of %s: API %s, CLI %s" % (row["hub_id"], t, row))
    # errors name the field
    for bad, field in ((dict(body, hubs=[]), "hubs"), (dict(body, cutoffs=[20, 10]), "cutoffs"),
                       (dict(body, mode="bus"), "mode"), (dict(body, extra=1), "extra"),
                       (dict(body, hubs=[dict(hubs[0], lat="x")]), "hubs[0]"),
                       (dict(body, tiers=["terminal"]), "tiers")):
        st, ans = post(bad)
        check(st == 400 and ans and ans["error"]["param"] == field, "bad %s: %d %s" % (field, st, ans))
    st, ans = post(dict(body, hubs=hubs * 200))
    check(st == 413, "600 hubs: %d %s" % (st, str(ans)[:200]))
finally:
    rc = srv.stop()
    check(rc == 0, "server exit status %r" % rc)
    text = srv.log()
    check(not any(w in text for w in ("runtime error:", "AddressSanitizer", "LeakSanitizer")),
          "sanitizer report in the server log:\n" + text[-3000:])
print("%d checks, %d failed" % (checks, failures))
sys.exit(1 if failures else 0)
