#!/usr/bin/env bash
# gtfs_limits.sh — hostile feeds are refused early with memory bounded: a ~1 MB zip whose stops.txt holds one 1 GiB
# line exits 1 naming stops.txt, line 2 and the limit, with a peak RSS under 150 MB; a stops.txt of 1 GiB of NUL
# bytes is called binary content. The zips are written here: each 1 GiB entry is the same deflated 4 MiB piece
# repeated (a full flush resets the compressor, so every copy compresses to the same bytes), which takes a second
# where compressing 1 GiB would take minutes on a loaded machine.
set -uo pipefail
: "${TC_BIN:?}"
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$TC_BIN" "$tmp" <<'PY'
import os, resource, struct, subprocess, sys, zlib

tc, tmp = sys.argv[1], sys.argv[2]
AGENCY = b"agency_id,agency_name,agency_url,agency_timezone\na,A,http://a.example,America/Sao_Paulo\n"


def deflate_entry(head, piece, copies, tail):
    """Raw deflate of head + piece * copies + tail, and its CRC-32 and size, without compressing 1 GiB."""
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    first = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
    one = co.compress(piece) + co.flush(zlib.Z_FULL_FLUSH)
    two = co.compress(piece) + co.flush(zlib.Z_FULL_FLUSH)
    assert one == two, "a full flush did not reset the compressor"
    last = co.compress(tail) + co.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(copies):
        crc = zlib.crc32(piece, crc)
    crc = zlib.crc32(tail, crc)
    return [first] + [one] * copies + [last], crc, len(head) + len(piece) * copies + len(tail)


def write_zip(path, entries):
    """entries: (name, chunks of raw deflate, crc, uncompressed size); sizes stay under 4 GiB (no zip64 needed)."""
    central, offset = [], 0
    with open(path, "wb") as f:
        for name, chunks, crc, size in entries:
            comp = sum(len(c) for c in chunks)
            n = name.encode()
            header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, comp, size, len(n), 0) + n
            f.write(header)
            for c in chunks:
                f.write(c)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, comp, size,
                                       len(n), 0, 0, 0, 0, 0, offset) + n)
            offset += len(header) + comp
        cd = b"".join(central)
        f.write(cd)
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(cd), offset, 0))


def entry(name, data):
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    return name, [co.compress(data) + co.flush()], zlib.crc32(data), len(data)


piece = b"x" * (4 << 20)
long_stops = deflate_entry(b"stop_id,stop_name,stop_lat,stop_lon\n", piece, 256, b",1,2\n")
write_zip(tmp + "/longline.zip", [entry("agency.txt", AGENCY), ("stops.txt",) + long_stops])
nul_stops = deflate_entry(b"", b"\0" * (4 << 20), 256, b"")
write_zip(tmp + "/nul.zip", [entry("agency.txt", AGENCY), ("stops.txt",) + nul_stops])

bad = 0


def run(zip_path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.run([tc, "build", "--gtfs", zip_path, "-o", tmp + "/out.tcn", "--quiet"], capture_output=True,
                       text=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB; the largest child so far
    return p.returncode, p.stderr, peak, before


print("longline.zip: %d bytes, nul.zip: %d bytes" % (os.path.getsize(tmp + "/longline.zip"),
                                                      os.path.getsize(tmp + "/nul.zip")))
rc, err, peak, before = run(tmp + "/longline.zip")
if rc != 1 or "stops.txt:2:" not in err or ("line 2 is longer than the limit of" not in err and
                                             "cell 1 of line 2 is longer than the limit of" not in err):
    print("FAIL: 1 GiB line: exit %d: %s" % (rc, err.strip()))
    bad = 1
elif peak > 150 * 1024:
    print("FAIL: 1 GiB line: peak RSS %.0f MB (limit 150 MB)" % (peak / 1024))
    bad = 1
else:
    print("ok   1 GiB line refused (%s), peak RSS %.1f MB" % (err.strip().splitlines()[-1], peak / 1024))
rc, err, peak, _ = run(tmp + "/nul.zip")
if rc != 1 or "stops.txt" not in err or "binary content" not in err or peak > 150 * 1024:
    print("FAIL: 1 GiB of NUL bytes: exit %d, peak %.0f MB: %s" % (rc, peak / 1024, err.strip()))
    bad = 1
else:
    print("ok   1 GiB of NUL bytes called binary content (%s)" % err.strip().splitlines()[-1])
if os.path.exists(tmp + "/out.tcn"):
    print("FAIL: an output was written for a refused feed")
    bad = 1
sys.exit(bad)
PY
