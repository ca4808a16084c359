#!/usr/bin/python3
"""Regenerates the Pillow resize fixtures that PillowResizeFixturesTest compares against.

Run with the system Python that has Pillow 9.4 and numpy (not a pyenv one):
    /usr/bin/python3 make_fixtures.py
It rewrites the PNGs and cases.tsv in this folder. Everything is seeded, so reruns give identical files.

Sources are random noise (every pixel independent: any wrong tap or weight shows), smooth gradients (small
rounding differences in the fixed-point sums show), and text-like hard edges (overshoot, so the clipping to
0..255 is exercised). Sizes are awkward on purpose: odd, prime, 1-pixel wide or high.
"""
import os

import numpy as np
from PIL import Image, ImageDraw, __version__ as pil_version

HERE = os.path.dirname(os.path.abspath(__file__))
FILTERS = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}


def noise(w, h, seed):
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8), "RGB")


def gradient(w, h):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255.0 * x / max(w - 1, 1)
    g = 255.0 * y / max(h - 1, 1)
    b = 127.5 + 127.5 * np.sin(x / 7.0) * np.cos(y / 5.0)
    return Image.fromarray(np.stack([r, g, b], axis=-1).round().clip(0, 255).astype(np.uint8), "RGB")


def text_like(w, h, seed):
    """Black strokes, coloured boxes and Pillow's bitmap-font text on white: hard 0/255 edges everywhere."""
    rng = np.random.default_rng(seed)
    im = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(im)
    for _ in range(max(4, w * h // 2000)):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        x1, y1 = x0 + int(rng.integers(1, max(2, w // 6))), y0 + int(rng.integers(1, max(2, h // 6)))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            d.rectangle([x0, y0, x1, y1], fill=colour)
        else:
            d.line([x0, y0, x1, y1], fill=(0, 0, 0), width=int(rng.integers(1, 4)))
    for row in range(0, h, 12):
        d.text((2 + (row * 7) % 11, row), "Tessera resamples like Pillow 0123456789 " * (1 + w // 240), fill=(0, 0, 0))
    return im


def main():
    sources = {
        "noise_37x23": noise(37, 23, 1),
        "noise_1x1": noise(1, 1, 2),
        "noise_1x29": noise(1, 29, 3),
        "noise_31x1": noise(31, 1, 4),
        "grad_101x67": gradient(101, 67),
        "text_243x157": text_like(243, 157, 5),
        # Wide enough for the thumbnail's 3840 -> 448 factor (8.57): support ~17 px each side at bicubic.
        "text_3840x96": text_like(3840, 96, 6),
        # Tall counterpart, so the vertical pass sees the same large factor.
        "grad_48x2160": gradient(48, 2160),
    }
    targets = {
        "noise_37x23": [(23, 14), (17, 9), (100, 61), (37, 10), (11, 23), (1, 1), (2, 3), (74, 46), (36, 24)],
        "noise_1x1": [(5, 7), (64, 1), (1, 33)],
        "noise_1x29": [(1, 7), (6, 29), (3, 50), (1, 1)],
        "noise_31x1": [(9, 1), (31, 4), (62, 2), (1, 1)],
        "grad_101x67": [(64, 43), (33, 22), (157, 211), (101, 20), (7, 67), (1, 1)],
        "text_243x157": [(112, 112), (448, 448), (97, 61), (243, 50), (60, 157), (1, 1), (13, 131)],
        "text_3840x96": [(448, 11), (1792, 45), (448, 96), (1, 1), (1, 96)],
        "grad_48x2160": [(48, 252), (21, 896), (5, 1), (48, 1)],
    }
    rows = []
    for name, im in sources.items():
        im.save(os.path.join(HERE, name + ".png"), optimize=True)
        for (w, h) in targets[name]:
            for fname, f in FILTERS.items():
                out = im.resize((w, h), f)
                out_name = "%s.%s.%dx%d.png" % (name, fname, w, h)
                out.save(os.path.join(HERE, out_name), optimize=True)
                rows.append("\t".join([name + ".png", str(w), str(h), fname.upper(), out_name]))
    with open(os.path.join(HERE, "cases.tsv"), "w") as f:
        f.write("# made by make_fixtures.py with Pillow %s: source, width, height, filter, expected\n" % pil_version)
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
