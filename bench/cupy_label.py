"""Label the masks bench/gpu-dawn.ts dumped with cupyx.scipy.ndimage.label (GPU)
and OpenCV connectedComponentsWithStats (CPU), 8-connected, and compare them
with Quaywatch's WGSL labelling: component counts, and CuPy's labels against
Quaywatch's dense ids pixel for pixel (both number components in raster order
of their first pixel, so they must be equal, not only the same partition).
CuPy is timed two ways, runs back to back: CUDA events around each call (GPU
time, as Quaywatch's timestamp queries) and the host clock around each call
with a synchronize (wall). Medians of several runs.

    python3 bench/cupy_label.py DIR
"""
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

RUNS = 7


def median_ms(fn, runs=RUNS):
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main(folder: str) -> None:
    for meta_path in sorted(Path(folder).glob("mask-*.json")):
        meta = json.loads(meta_path.read_text())
        w, h = meta["width"], meta["height"]
        mask = np.fromfile(meta_path.with_suffix(".u8"), dtype=np.uint8).reshape(h, w)
        line = [f"{w}x{h}", f"quaywatch components {meta['components']}"]
        try:
            import cupy as cp
            import cupyx.scipy.ndimage as ndi

            structure = cp.ones((3, 3), dtype=cp.int32)
            gpu_mask = cp.asarray(mask)

            def run_cupy():
                labels, n = ndi.label(gpu_mask, structure=structure)
                cp.cuda.Stream.null.synchronize()
                return labels, n

            labels, n = run_cupy()
            ids_path = meta_path.with_name(meta_path.name.replace("mask-", "ids-")).with_suffix(".u32")
            if ids_path.exists():
                ids = cp.asarray(np.fromfile(ids_path, dtype=np.uint32).reshape(h, w))
                differing = int(cp.count_nonzero(ids != labels.astype(cp.uint32)))
                line.append(f"pixels where cupy label != quaywatch id: {differing}")
            start, end = cp.cuda.Event(), cp.cuda.Event()

            def run_cupy_events():
                start.record()
                ndi.label(gpu_mask, structure=structure)
                end.record()
                end.synchronize()
                return cp.cuda.get_elapsed_time(start, end)

            event_ms = statistics.median(run_cupy_events() for _ in range(RUNS))
            line.append(
                f"cupy components {int(n)}, median GPU (events) {event_ms:.3f} ms, "
                f"wall {median_ms(run_cupy):.3f} ms"
            )
        except Exception as error:  # noqa: BLE001 - report whatever stops CuPy
            line.append(f"cupy unavailable: {error}")
        try:
            import cv2

            n, *_ = cv2.connectedComponentsWithStats(mask, connectivity=8)
            ms = median_ms(lambda: cv2.connectedComponentsWithStats(mask, connectivity=8), runs=3)
            line.append(f"opencv components {n - 1}, median {ms:.1f} ms ({cv2.getNumThreads()} threads)")
        except Exception as error:  # noqa: BLE001
            line.append(f"opencv unavailable: {error}")
        print("; ".join(line), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
