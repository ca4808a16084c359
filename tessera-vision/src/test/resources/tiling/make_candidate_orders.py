#!/usr/bin/python3
"""Writes the order in which InternVL's dynamic_preprocess tries its candidate grids, as CPython computes it.

The reference builds a set of (i, j) tuples and sorts it stably by i*j, so the set's iteration order breaks ties.
Run with CPython 3.8+ (tuple hashing has been the same xxHash-style function since 3.8).
"""
import json, sys

cases = []
for mn in (1, 2, 3, 4):
    for mx in range(mn, 41):
        s = set((i, j) for n in range(mn, mx + 1) for i in range(1, n + 1) for j in range(1, n + 1)
                if i * j <= mx and i * j >= mn)
        cases.append({"min": mn, "max": mx, "order": [list(t) for t in sorted(s, key=lambda x: x[0] * x[1])]})
json.dump({"python": sys.version.split()[0], "cases": cases}, open(sys.argv[1], "w"), separators=(",", ":"))
