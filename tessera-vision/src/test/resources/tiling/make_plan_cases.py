#!/usr/bin/python3
"""Size-only re-statements of the reference tiling rules, run by CPython, to check tessera's plans against.

Each function follows the original code's arithmetic step by step (Python floats, int() truncation, // floor,
set iteration order, min() keeping the first of equals), but works on sizes instead of pixels.
Usage: make_plan_cases.py OUT.json
"""
import json, math, random, sys


def internvl_grid(w, h, mn, mx, s=448):
    ratios = sorted(set((i, j) for n in range(mn, mx + 1) for i in range(1, n + 1) for j in range(1, n + 1)
                        if i * j <= mx and i * j >= mn), key=lambda x: x[0] * x[1])
    ar = w / h
    best_diff, best = float('inf'), (1, 1)
    area = w * h
    for r in ratios:
        d = abs(ar - r[0] / r[1])
        if d < best_diff:
            best_diff, best = d, r
        elif d == best_diff and area > 0.5 * s * s * r[0] * r[1]:
            best = r
    return list(best)


def hd(w, h, hd_num, s=336):
    transposed = w < h
    if transposed:
        w, h = h, w
    r = w / h
    k = 1
    while k * math.ceil(k / r) <= hd_num:
        k += 1
    k -= 1
    new_w = int(k * s)
    new_h = max(1, int(new_w / r))  # tessera keeps at least one row where the original would crash on 0
    tar = int(math.ceil(new_h / s) * s)
    top = int((tar - new_h) / 2)
    return {"transposed": transposed, "s": k, "new_w": new_w, "new_h": new_h, "padded_h": tar, "pad_top": top}


def catty(w, h, max_splits, s=336):
    ratio = w / h
    if ratio > max_splits or ratio < 1 / max_splits:
        if w > h:
            w = max_splits * h
        else:
            h = max_splits * w
        ratio = w / h
    table = {}
    for n in range(1, max_splits + 1):
        for a in range(1, n + 1):
            if n % a == 0:
                table.setdefault(a / (n // a), []).append([a, n // a])
    ws, hs = w / s, h / s
    if ratio < 1:
        table = {k: v for k, v in table.items() if k <= ratio}
    elif ratio > 1:
        table = {k: v for k, v in table.items() if k >= ratio}
    key = min(table.keys(), key=lambda x: abs(x - ratio))
    a, b = min(table[key], key=lambda x: abs(x[0] * x[1] - ws * hs))
    if ws < hs:
        nw = a * s
        nh = int(h / w * nw)
    else:
        nh = b * s
        nw = int(w / h * nh)
    sx = (nw - s) // (a - 1) if a > 1 else 0
    sy = (nh - s) // (b - 1) if b > 1 else 0
    sx = sx or s
    sy = sy or s
    crops = [[x, y] for y in range(0, nh - s + 1, sy) for x in range(0, nw - s + 1, sx)]
    return {"squashed": [w, h], "grid": [a, b], "resized": [nw, nh], "crops": crops}


def sizes(rng, n):
    out = [(1, 1), (1, 20000), (20000, 1), (20000, 200), (200, 20000), (448, 448), (1120, 448), (250, 100),
           (1300, 1200), (1200, 1300), (896, 448), (3840, 2160), (2160, 3840), (1000, 600), (3840, 1600), (336, 3024)]
    for _ in range(n):
        kind = rng.random()
        if kind < 0.5:
            out.append((rng.randint(1, 20000), rng.randint(1, 4000)))
        elif kind < 0.8:
            out.append((rng.randint(1, 3000), rng.randint(1, 3000)))
        else:  # exact simple ratios, where ties happen
            p, q = rng.randint(1, 12), rng.randint(1, 12)
            f = rng.randint(1, 300)
            out.append((p * f, q * f))
    return out


rng = random.Random(20261122)
cases = {"internvl": [], "hd": [], "catty": []}
for w, h in sizes(rng, 700):
    for mn, mx in ((1, 6), (1, 12), (1, 40), (2, 9)):
        cases["internvl"].append({"w": w, "h": h, "min": mn, "max": mx, "grid": internvl_grid(w, h, mn, mx)})
    for n in (9, 16, 25, 55):
        cases["hd"].append({"w": w, "h": h, "hd": n, **hd(w, h, n)})
    for m in (8, 12):
        cases["catty"].append({"w": w, "h": h, "max": m, **catty(w, h, m)})
json.dump(cases, open(sys.argv[1], "w"), separators=(",", ":"))
