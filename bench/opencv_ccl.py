"""Native peer for bench/ccl.ts: OpenCV's connectedComponentsWithStats on a raw mask.

Usage: opencv_ccl.py MASK_FILE WIDTH HEIGHT REPETITIONS [OUT_PREFIX]
MASK_FILE holds WIDTH*HEIGHT bytes, row-major, nonzero = foreground (the same
bytes our CPU twin labels). Runs 8-connectivity with CV_32S labels, once on one
thread (cv2.setNumThreads(1)) and once on OpenCV's default thread count; each
after a warm-up run. Prints one JSON object on stdout: per mode the times in
milliseconds and the component count (background label excluded).

What is timed: the connectedComponentsWithStats call alone, which allocates
its three outputs on every call (the WIDTH*HEIGHT int32 label image, the N*5
int32 stats, the N*2 float64 centroids) as the Python binding returns fresh
arrays; ours allocates its id image and statistics arrays on every call too.

With OUT_PREFIX, the one-thread run's outputs are written (untimed) as raw
little-endian files for the caller to compare: OUT_PREFIX.labels (int32 per
pixel), OUT_PREFIX.stats (int32 rows left, top, width, height, area, label 0
first) and OUT_PREFIX.centroids (float64 rows x, y).
"""

import json
import sys
import time

import cv2
import numpy as np


def time_runs(mask: np.ndarray, repetitions: int) -> tuple[list[float], int, tuple]:
    outputs = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S)
    times_ms = []
    for _ in range(repetitions):
        outputs = None  # let the previous outputs go before the next call, as ours do
        started = time.perf_counter()
        outputs = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S)
        times_ms.append((time.perf_counter() - started) * 1000.0)
    return times_ms, int(outputs[0]) - 1, outputs


def main() -> None:
    path, width, height, repetitions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    out_prefix = sys.argv[5] if len(sys.argv) > 5 else None
    mask = np.fromfile(path, dtype=np.uint8).reshape(height, width)
    default_threads = cv2.getNumThreads()
    out = {"opencv": cv2.__version__, "defaultThreads": default_threads}
    cv2.setNumThreads(1)
    out["oneThreadMs"], out["oneThreadCount"], outputs = time_runs(mask, repetitions)
    if out_prefix is not None:
        _, labels, stats, centroids = outputs
        np.ascontiguousarray(labels, dtype="<i4").tofile(out_prefix + ".labels")
        np.ascontiguousarray(stats, dtype="<i4").tofile(out_prefix + ".stats")
        np.ascontiguousarray(centroids, dtype="<f8").tofile(out_prefix + ".centroids")
    outputs = None
    cv2.setNumThreads(default_threads)
    out["allThreadsMs"], out["allThreadsCount"], _ = time_runs(mask, repetitions)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
