"""Label the masks bench/gpu-dawn.ts dumped with cupyx.scipy.ndimage.label (GPU)
and OpenCV connectedComponentsWithStats (CPU), 8-connected, and compare the
component counts with Quaywatch's WGSL labelling. Medians of several runs.

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

            _, n = run_cupy()
            line.append(f"cupy components {int(n)}, median {median_ms(run_cupy):.3f} ms")
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
