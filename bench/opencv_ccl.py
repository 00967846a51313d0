"""Native peer for bench/ccl.ts: OpenCV's connectedComponentsWithStats on a raw mask.

Usage: opencv_ccl.py MASK_FILE WIDTH HEIGHT REPETITIONS
MASK_FILE holds WIDTH*HEIGHT bytes, row-major, nonzero = foreground (the same
bytes our CPU twin labels). Runs 8-connectivity with CV_32S labels, once on one
thread (cv2.setNumThreads(1)) and once on OpenCV's default thread count; each
after a warm-up run. Prints one JSON object on stdout: per mode the times in
milliseconds and the component count (background label excluded).
"""

import json
import sys
import time

import cv2
import numpy as np


def time_runs(mask: np.ndarray, repetitions: int) -> tuple[list[float], int]:
    count, _, _, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S)
    times_ms = []
    for _ in range(repetitions):
        started = time.perf_counter()
        count, _, _, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S)
        times_ms.append((time.perf_counter() - started) * 1000.0)
    return times_ms, int(count) - 1


def main() -> None:
    path, width, height, repetitions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    mask = np.fromfile(path, dtype=np.uint8).reshape(height, width)
    default_threads = cv2.getNumThreads()
    out = {"opencv": cv2.__version__, "defaultThreads": default_threads}
    cv2.setNumThreads(1)
    out["oneThreadMs"], out["oneThreadCount"] = time_runs(mask, repetitions)
    cv2.setNumThreads(default_threads)
    out["allThreadsMs"], out["allThreadsCount"] = time_runs(mask, repetitions)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
