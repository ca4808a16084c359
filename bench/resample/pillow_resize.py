#!/usr/bin/python3
"""Pillow side of the resize benchmark (run by bench/resample/run.sh; needs /usr/bin/python3 with Pillow 9.4).

Makes a deterministic 3840x2160 test picture (noise, gradients, text-like edges) unless one is given, times
Pillow's Image.resize (and the np.asarray that the reference pipeline does next) on the shapes of InternVL's
tiling of a 4K frame, and saves Pillow's outputs so the Java side can check it reproduced them byte for byte.

usage: pillow_resize.py OUTDIR [SOURCE_IMAGE] [REPEATS]
"""
import os
import sys
import time

import numpy as np
from PIL import Image, ImageDraw

SHAPES = [((1792, 896), "BICUBIC"), ((448, 448), "BICUBIC"), ((1344, 896), "BILINEAR")]


def test_picture():
    rng = np.random.default_rng(2024)
    y, x = np.mgrid[0:2160, 0:3840].astype(np.float32)
    base = np.stack([x / 3840 * 255, y / 2160 * 255, 128 + 100 * np.sin(x / 37) * np.cos(y / 23)], -1)
    base[:540] = rng.integers(0, 256, (540, 3840, 3))  # a band of pure noise
    im = Image.fromarray(base.clip(0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    for row in range(600, 2160, 14):
        d.text((10, row), "The quick brown fox jumps over the lazy dog 0123456789 " * 12, fill=(0, 0, 0))
    return im


def main():
    out_dir = sys.argv[1]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    os.makedirs(out_dir, exist_ok=True)
    if len(sys.argv) > 2 and sys.argv[2] != "-":
        im = Image.open(sys.argv[2]).convert("RGB")
    else:
        im = test_picture()
    im.save(os.path.join(out_dir, "source.png"), compress_level=1)
    for (w, h), f in SHAPES:
        resample = getattr(Image, f)
        out = im.resize((w, h), resample)
        out.save(os.path.join(out_dir, "pillow_%dx%d_%s.png" % (w, h, f)), compress_level=1)
        for label, fn in (("resize", lambda: im.resize((w, h), resample)),
                          ("resize+asarray", lambda: np.asarray(im.resize((w, h), resample)))):
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t0) * 1e3)
            times.sort()
            print("pillow %-14s %dx%d -> %4dx%-4d %-8s min %7.2f ms  median %7.2f ms"
                  % (label, im.width, im.height, w, h, f, times[0], times[len(times) // 2]))


if __name__ == "__main__":
    main()
