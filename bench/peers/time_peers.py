#!/usr/bin/python3
"""Times peer detectors on the same frames LiveScope's AnalysisBenchmarks use.

The frames are written by the C# benchmark's setup to $TMPDIR/livescope-bench/spots_{size}.u16 (raw little-endian
uint16, size x size); run that first. Peers:
  - OpenCV (Debian python3-opencv): float conversion, two GaussianBlur (DoG with sigma1 = d/(1+sqrt2), sigma2 = sqrt2*sigma1),
    threshold at mean + 5 SD, connectedComponentsWithStats (8-connectivity) -- a detector without sub-pixel fits;
  - OpenCV DoG as above + 3x3 local maxima (dilate, compare) above the threshold -- the closest to LiveScope's sweep,
    still without merge, sub-pixel or regions;
  - scikit-image (python3-skimage): blob_log, sigma 1..3, 5 scales.
LiveScope's figures for the ratios: --ours-ms SIZE=MS, or --ours-csv with BenchmarkDotNet's report, e.g.
  bench/LiveScope.Benchmarks/BenchmarkDotNet.Artifacts/results/LiveScope.Benchmarks.AnalysisBenchmarks-report.csv
(the mean of the full "detect" benchmark per size is used).
Usage: /usr/bin/python3 bench/peers/time_peers.py [--sizes 512 2048] [--repeats 10] [--ours-ms 512=X 2048=Y] [--ours-csv F]
"""
import argparse
import csv
import math
import os
import tempfile
import time

import cv2
import numpy as np
from skimage.feature import blob_log

DIAMETER_PX = 4.5  # 0.45 um at 0.1 um/px, as in the C# benchmark


def load(size):
    path = os.path.join(tempfile.gettempdir(), "livescope-bench", f"spots_{size}.u16")
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing: run the C# AnalysisBenchmarks first (its setup writes the frames)")
    return np.fromfile(path, dtype="<u2").reshape(size, size)


def opencv_dog(frame):
    s1 = DIAMETER_PX / (1 + math.sqrt(2))
    s2 = math.sqrt(2) * s1
    f = frame.astype(np.float32)
    dog = cv2.GaussianBlur(f, (0, 0), s1) - cv2.GaussianBlur(f, (0, 0), s2)
    threshold = float(dog.mean() + 5 * dog.std())
    mask = (dog > threshold).astype(np.uint8)
    n, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return n - 1


def opencv_dog_maxima(frame):
    s1 = DIAMETER_PX / (1 + math.sqrt(2))
    s2 = math.sqrt(2) * s1
    f = frame.astype(np.float32)
    dog = cv2.GaussianBlur(f, (0, 0), s1) - cv2.GaussianBlur(f, (0, 0), s2)
    threshold = float(dog.mean() + 5 * dog.std())
    maxima = (dog >= cv2.dilate(dog, np.ones((3, 3), np.uint8))) & (dog > threshold)
    return int(np.count_nonzero(maxima))


def read_bdn_csv(path):
    """Mean ms of the full 'detect (...)' benchmark per Size from a BenchmarkDotNet report CSV."""
    scale = {"ns": 1e-6, "us": 1e-3, "\u03bcs": 1e-3, "\u00b5s": 1e-3, "ms": 1.0, "s": 1000.0}
    ours = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if not row.get("Method", "").startswith("'detect (") and not row.get("Method", "").startswith("detect ("):
                continue
            value, unit = row["Mean"].replace(",", "").split()
            ours[int(row["Size"])] = float(value) * scale[unit]
    return ours


def skimage_log(frame):
    f = frame.astype(np.float32)
    f = (f - f.min()) / (f.max() - f.min())
    return len(blob_log(f, min_sigma=1, max_sigma=3, num_sigma=5, threshold=0.15))


def best_of(fn, frame, repeats):
    times = []
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn(frame)
        times.append((time.perf_counter() - t0) * 1000)
    return min(times), float(np.median(times)), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 2048])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--ours-ms", nargs="*", default=[], help="SIZE=MS of LiveScope's detector, to print ratios")
    parser.add_argument("--ours-csv", help="BenchmarkDotNet report CSV of AnalysisBenchmarks, instead of --ours-ms")
    args = parser.parse_args()
    ours = read_bdn_csv(args.ours_csv) if args.ours_csv else {}
    ours.update({int(k): float(v) for k, v in (item.split("=") for item in args.ours_ms)})
    if ours:
        print("LiveScope detect (ms): " + ", ".join(f"{k}: {v:.3f}" for k, v in sorted(ours.items())))
    cv2.setNumThreads(os.cpu_count() or 1)
    print(f"OpenCV {cv2.__version__}, threads {cv2.getNumThreads()}")
    print("size  peer                                   best_ms  median_ms  found  ratio_to_livescope")
    for size in args.sizes:
        frame = load(size)
        for name, fn, repeats in (("opencv GaussianBlur DoG + CC stats", opencv_dog, args.repeats),
                                  ("opencv GaussianBlur DoG + 3x3 maxima", opencv_dog_maxima, args.repeats),
                                  ("skimage blob_log (5 scales)", skimage_log, max(1, args.repeats // 5) if size > 1024 else 3)):
            best, median, found = best_of(fn, frame, repeats)
            ratio = f"{median / ours[size]:.1f}x" if size in ours else ""
            print(f"{size:5d} {name:38s} {best:8.1f} {median:10.1f} {found:6d}  {ratio}")


if __name__ == "__main__":
    main()
