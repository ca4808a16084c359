#!/usr/bin/python3
"""SHA-256 digests of the 8-bit tiles that the original CATTY and HD-H code cut with Pillow, for the golden
documents in ../golden-preprocess. Written as the originals do it (catty.py: BILINEAR resizes, sliding windows,
thumbnail of the resized image; ixc_utils.HD_transform: transpose portrait, torchvision resize = PIL BILINEAR,
white centred padding, transpose back, row-major 336 crops). Usage: make_strategy_tiles.py OUT.json
"""
import hashlib, json, math, os, sys
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "golden-preprocess")


def digest(img):
    return hashlib.sha256(img.convert("RGB").tobytes()).hexdigest()


def catty(img, max_splits=8, s=336):
    w, h = img.size
    ratio = w / h
    if ratio > max_splits or ratio < 1 / max_splits:
        img = img.resize((max_splits * h, h) if w > h else (w, max_splits * w), resample=2)
        w, h = img.size
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
    ws, hs = w / s, h / s
    key = min(table.keys(), key=lambda x: abs(x - ratio))
    a, b = min(table[key], key=lambda x: abs(x[0] * x[1] - ws * hs))
    if ws < hs:
        nw = a * s; nh = int(h / w * nw)
    else:
        nh = b * s; nw = int(w / h * nh)
    img = img.resize((nw, nh), resample=2)
    sx = ((nw - s) // (a - 1) if a > 1 else 0) or s
    sy = ((nh - s) // (b - 1) if b > 1 else 0) or s
    tiles = [img.crop((x, y, x + s, y + s)) for y in range(0, nh - s + 1, sy) for x in range(0, nw - s + 1, sx)]
    tiles.append(img.resize((s, s), resample=2))
    return tiles


def hd(img, hd_num, s=336):
    w, h = img.size
    trans = w < h
    if trans:
        img = img.transpose(Image.TRANSPOSE)
        w, h = img.size
    r = w / h
    k = 1
    while k * math.ceil(k / r) <= hd_num:
        k += 1
    k -= 1
    nw = int(k * s)
    nh = int(nw / r)
    img = img.resize((nw, nh), Image.BILINEAR)
    tar = int(math.ceil(nh / s) * s)
    top = int((tar - nh) / 2)
    canvas = Image.new("RGB", (nw, tar), (255, 255, 255))
    canvas.paste(img, (0, top))
    if trans:
        canvas = canvas.transpose(Image.TRANSPOSE)
    W, H = canvas.size
    return [canvas.crop((c * s, r_ * s, (c + 1) * s, (r_ + 1) * s)) for r_ in range(H // s) for c in range(W // s)]


cases = []
for name in ("doc_800x500.png", "doc_300x900.png", "doc_1600x400.png", "doc_250x100.png"):
    img = Image.open(os.path.join(SRC, name)).convert("RGB")
    for m in (8, 12):
        cases.append({"image": name, "strategy": "catty", "max": m, "tiles": [digest(t) for t in catty(img, m)]})
    for n in (9, 16):
        cases.append({"image": name, "strategy": "ixc-hd", "max": n, "local_tiles": [digest(t) for t in hd(img, n)]})
json.dump({"cases": cases}, open(sys.argv[1], "w"), indent=1)
