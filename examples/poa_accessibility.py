#!/usr/bin/env python3
"""Access to schools and health care in Porto Alegre by public transport — r5r's accessibility vignette, in Python.

For every H3 cell of Porto Alegre's hexagon grid: the schools and health facilities reachable within 60 minutes by
walking and transit (EPTC buses + Trensurb metro), departing on Monday 2019-05-13 between 14:00 and 14:10, median
over the departure minutes, walking at most 30 minutes. Writes a two-panel PNG map.

    python3 examples/poa_accessibility.py [DATA_DIR] [OUT.png]

DATA_DIR holds poa_osm.pbf, poa_eptc.zip, poa_trensurb.zip and poa_hexgrid.csv (default ../shared/data/porto-alegre).
"""
import datetime as dt
import os
import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import tongcheng  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "data", "porto-alegre")
out = sys.argv[2] if len(sys.argv) > 2 else "poa_accessibility.png"

network = tongcheng.TransportNetwork(osm=os.path.join(data, "poa_osm.pbf"),
                                     gtfs=[os.path.join(data, "poa_eptc.zip"), os.path.join(data, "poa_trensurb.zip")])
points = pd.read_csv(os.path.join(data, "poa_hexgrid.csv"))

access = network.accessibility(points, points, opportunities=["schools", "healthcare"], cutoffs=60,
                               departure=dt.datetime(2019, 5, 13, 14, 0), window=dt.timedelta(minutes=10),
                               modes=["walk", "transit"], max_walk_time=30, progress=None)
wide = access.pivot(index="id", columns="column", values="accessibility").add_prefix("access_")
cells = points.astype({"id": str}).set_index("id").join(wide)

fig, axes = plt.subplots(1, 2, figsize=(12, 7), constrained_layout=True)
for ax, column, title in zip(axes, ["schools", "healthcare"], ["Schools", "Health care facilities"]):
    # H3 resolution-9 cells are ~350 m across: hexagon markers of that size on an equal-distance aspect
    sc = ax.scatter(cells["lon"], cells["lat"], c=cells["access_" + column], cmap="viridis", marker="h", s=52, linewidths=0)
    ax.set_aspect(1 / np.cos(np.radians(cells["lat"].mean())))
    ax.set_title("%s within 60 min by transit" % title)
    ax.set_xticks([]), ax.set_yticks([])
    fig.colorbar(sc, ax=ax, shrink=0.6, label="reachable %s" % column)
fig.suptitle("Porto Alegre, Mon 2019-05-13 14:00–14:10 (median), walking ≤ 30 min — tongcheng")
fig.savefig(out, dpi=110)
network.close()
print("%s: %d cells, schools reachable median %.0f, health care median %.0f"
      % (out, len(cells), cells["access_schools"].median(), cells["access_healthcare"].median()))
