"""Loading libtongcheng through cffi (ABI mode: no compiler needed at install time).

The declarations are read from the public header tongcheng.h at import (installed beside the library, or the
source tree's include/), so cffi lays the structs out as the C compiler did; tests/python still compares every
analysis with the CLI's output byte for byte. The library is looked for in $TONGCHENG_LIBRARY, beside an
installed package (PREFIX/lib[/MULTIARCH]), in the source tree's build/ folder, then by the system loader.
"""
import ctypes.util
import os
import re
import sysconfig

import cffi

ffi = cffi.FFI()
_here = os.path.dirname(os.path.abspath(__file__))


def _header_path():
    env = os.environ.get("TONGCHENG_HEADER")
    if env:
        return env
    # Installed: PREFIX/lib/python3/dist-packages/tongcheng -> PREFIX/include; the source tree: python/tongcheng
    for p in (os.path.join(_here, "..", "..", "..", "..", "include", "tongcheng.h"),
              os.path.join(_here, "..", "..", "include", "tongcheng.h")):
        if os.path.exists(p):
            return os.path.normpath(p)
    raise ImportError("tongcheng: cannot find the public header tongcheng.h (set TONGCHENG_HEADER)")


def _declarations(path):
    """The public header itself, without its preprocessor lines and C++ guards, so the structs cffi lays out are
    always the library's own (a copy of them could drift and corrupt results silently)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"#ifdef __cplusplus.*?#endif", "", text, flags=re.S)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


HEADER = _header_path()
ffi.cdef(_declarations(HEADER))

SONAME = "libtongcheng.so.0.1"


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
