"""tongcheng — metro transport analysis from Python, over libtongcheng (cffi).

    import tongcheng
    net = tongcheng.TransportNetwork(osm="poa_osm.pbf", gtfs=["poa_eptc.zip", "poa_trensurb.zip"])
    ttm = net.travel_time_matrix(points, points, departure=datetime(2019, 5, 13, 14), window=timedelta(hours=2))

Data frames in, data frames out, after r5py: see TransportNetwork.
"""
from ._lib import TongchengError, ffi as _ffi, lib as _lib, path as _path
from .circle import CircleReport, circle
from .network import TransportNetwork

__version__ = "0.1.0"
__all__ = ["TransportNetwork", "TongchengError", "CircleReport", "circle", "library_path", "__version__"]


def library_path():
    """The libtongcheng shared library this package loaded."""
    return _path
