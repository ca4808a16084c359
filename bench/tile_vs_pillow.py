#!/usr/bin/python3
"""tessera's image pipeline against Pillow + NumPy on the same image and plan, in the same run.

Usage: bench/tile_vs_pillow.py [IMAGE] [--strategy internvl|catty|fixed] [--max-tiles N] [--repeat N] [--warmup N]

Without IMAGE it makes a 3840x2160 document-like JPEG (quality 90) in a temporary folder. The Pillow side is the
model card's code path: Image.open().convert('RGB'), dynamic_preprocess (or CATTY / one resized tile), then
ToTensor + Normalize done with NumPy into one float32 [tiles, 3, S, S] array. Prints one JSON line with both
medians and `ratio` = Pillow seconds / tessera seconds (above 1: tessera is faster).
Needs Debian's python3-pil and python3-numpy (run with /usr/bin/python3).
"""
import argparse, json, os, random, statistics, subprocess, sys, tempfile, time

import numpy as np
from PIL import Image, ImageDraw

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGENET = (np.array([0.485, 0.456, 0.406], np.float32), np.array([0.229, 0.224, 0.225], np.float32))
CLIP = (np.array([0.48145466, 0.4578275, 0.40821073], np.float32), np.array([0.26862954, 0.26130258, 0.27577711], np.float32))


def make_document(path, w=3840, h=2160, seed=7):
    rng = random.Random(seed)
    img = Image.new("RGB", (w, h), (250, 248, 240))
    d = ImageDraw.Draw(img)
    for y in range(40, h - 40, 28):
        x = 60
        while x < w - 200:
            word = rng.randint(30, 160)
            d.rectangle([x, y, x + word, y + 14], fill=(rng.randint(0, 60),) * 3)
            x += word + rng.randint(12, 30)
    for _ in range(12):
        x, y = rng.randint(0, w - 600), rng.randint(0, h - 400)
        d.rectangle([x, y, x + rng.randint(200, 600), y + rng.randint(100, 400)],
                    fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
    noise = np.random.default_rng(seed).integers(-12, 13, (h, w, 3))
    arr = np.clip(np.asarray(img, np.int16) + noise, 0, 255).astype(np.uint8)
    Image.fromarray(arr).save(path, quality=90)


def internvl_tiles(image, max_num=12, size=448):
    w, h = image.size
    ar = w / h
    ratios = sorted(set((i, j) for n in range(1, max_num + 1) for i in range(1, n + 1) for j in range(1, n + 1)
                        if 1 <= i * j <= max_num), key=lambda x: x[0] * x[1])
    best_diff, best = float("inf"), (1, 1)
    for r in ratios:
        d = abs(ar - r[0] / r[1])
        if d < best_diff:
            best_diff, best = d, r
        elif d == best_diff and w * h > 0.5 * size * size * r[0] * r[1]:
            best = r
    resized = image.resize((size * best[0], size * best[1]))
    tiles = [resized.crop(((k % best[0]) * size, (k // best[0]) * size, (k % best[0] + 1) * size, (k // best[0] + 1) * size))
             for k in range(best[0] * best[1])]
    if len(tiles) != 1:
        tiles.append(image.resize((size, size)))
    return tiles, IMAGENET


def catty_tiles(image, max_splits=8, size=336):
    w, h = image.size
    ratio = w / h
    if ratio > max_splits or ratio < 1 / max_splits:
        image = image.resize((max_splits * h, h) if w > h else (w, max_splits * w), resample=2)
        w, h = image.size
        ratio = w / h
    table = {}
    for n in range(1, max_splits + 1):
        for a in range(1, n + 1):
            if n % a == 0:
                table.setdefault(a / (n // a), []).append([a, n // a])
    if ratio < 1:
        table = {k: v for k, v in table.items() if k <= ratio}
    elif ratio > 1:
        table = {k: v for k, v in table.items() if k >= ratio}
    ws, hs = w / size, h / size
    key = min(table.keys(), key=lambda x: abs(x - ratio))
    a, b = min(table[key], key=lambda x: abs(x[0] * x[1] - ws * hs))
    if ws < hs:
        nw, nh = a * size, int(h / w * a * size)
    else:
        nh, nw = b * size, int(w / h * b * size)
    image = image.resize((nw, nh), resample=2)
    sx = ((nw - size) // (a - 1) if a > 1 else 0) or size
    sy = ((nh - size) // (b - 1) if b > 1 else 0) or size
    tiles = [image.crop((x, y, x + size, y + size)) for y in range(0, nh - size + 1, sy) for x in range(0, nw - size + 1, sx)]
    tiles.append(image.resize((size, size), resample=2))
    return tiles, CLIP


def fixed_tiles(image, size=448):
    return [image.resize((size, size))], IMAGENET


def normalize(tiles, norm):
    arr = np.stack([np.asarray(t, dtype=np.uint8) for t in tiles]).astype(np.float32)
    arr /= 255.0
    arr -= norm[0]
    arr /= norm[1]
    return np.ascontiguousarray(arr.transpose(0, 3, 1, 2))


def pillow_run(path, strategy, max_tiles):
    t0 = time.perf_counter()
    img = Image.open(path).convert("RGB")
    t1 = time.perf_counter()
    if strategy == "internvl":
        tiles, norm = internvl_tiles(img, max_tiles or 12)
    elif strategy == "catty":
        tiles, norm = catty_tiles(img, max_tiles or 8)
    else:
        tiles, norm = fixed_tiles(img)
    t2 = time.perf_counter()
    batch = normalize(tiles, norm)
    t3 = time.perf_counter()
    return batch.shape[0], (t1 - t0, t2 - t1, t3 - t2, t3 - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("image", nargs="?")
    ap.add_argument("--strategy", default="internvl", choices=["internvl", "catty", "fixed"])
    ap.add_argument("--max-tiles", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    args = ap.parse_args()
    image = args.image
    if image is None:
        image = os.path.join(tempfile.mkdtemp(prefix="tessera-bench-"), "doc_3840x2160.jpg")
        make_document(image)

    cmd = [os.path.join(ROOT, "tessera"), "bench", "tile", image, "--strategy", args.strategy,
           "--repeat", str(args.repeat), "--warmup", str(max(args.warmup, 5))]
    if args.max_tiles:
        cmd += ["--max-tiles", str(args.max_tiles)]
    java = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])

    for _ in range(args.warmup):
        pillow_run(image, args.strategy, args.max_tiles)
    runs = [pillow_run(image, args.strategy, args.max_tiles) for _ in range(args.repeat)]
    tiles = runs[0][0]
    parts = list(zip(*[r[1] for r in runs]))
    pil = {"decode_seconds": statistics.median(parts[0]), "resize_crop_seconds": statistics.median(parts[1]),
           "normalize_seconds": statistics.median(parts[2]), "seconds": statistics.median(parts[3])}
    if tiles != java["tiles"]:
        sys.exit(f"plans differ: Pillow made {tiles} tiles, tessera {java['tiles']}")
    print(json.dumps({"image": image, "strategy": args.strategy, "tiles": tiles, "tessera": java, "pillow_numpy": pil,
                      "ratio": pil["seconds"] / java["seconds"],
                      "ratio_by_part": {k: pil[k] / java[k] for k in ("decode_seconds", "resize_crop_seconds", "normalize_seconds")}}))


if __name__ == "__main__":
    main()
