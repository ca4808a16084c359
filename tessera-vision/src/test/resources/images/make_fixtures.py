#!/usr/bin/python3
"""Writes the image fixtures for ImageLoaderTest and, for each, the pixels the reference pipeline sees.

Run with Debian's /usr/bin/python3 (Pillow 9.4 + numpy), from anywhere:

    /usr/bin/python3 tessera-vision/src/test/resources/images/make_fixtures.py

For every fixture FILE this writes expected/FILE.rgb: the interleaved 8-bit RGB bytes of
Pillow's ``Image.open(FILE).convert('RGB')``, which is exactly what InternVL's preprocessing does.
Images that carry transparency also get expected/FILE.white.rgb, the image laid over white
(``Image.alpha_composite(white, im.convert('RGBA'))``), which is what AlphaMode.WHITE promises.
fixtures.tsv lists every fixture with its size and whether the Java decoder must match exactly
(lossless formats, and JPEGs, whose libjpeg-turbo decode the Java decoder reproduces) or only
closely (lossy WebP, whose decoder differs from libwebp).

Pillow cannot write every variant that real files contain (2/4-bit and 16-bit PNGs with alpha,
RLE BMPs, YCCK or Adobe-less CMYK JPEGs, restart markers, 4:4:0 sampling, GIF frames smaller than
the screen), so this script has small writers of its own for those. They only need to produce
valid files; the expected pixels always come from Pillow decoding them.

Everything is deterministic (fixed seeds), and images are small so the folder stays well under 1 MB.
"""
import io
import math
import os
import struct
import zlib

import numpy as np
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "expected")
MANIFEST = []

# Odd sizes on purpose: they exercise partial JPEG MCUs, partial PNG filter bytes, BMP row padding.
W, H = 37, 29


def content(w=W, h=H, seed=1):
    """A test picture with smooth gradients, sharp edges, saturated corners and a little noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255 * x / max(w - 1, 1)
    g = 255 * y / max(h - 1, 1)
    b = 128 + 127 * np.sin(x / 3.0) * np.cos(y / 4.0)
    img = np.stack([r, g, b], -1) + rng.normal(0, 6, (h, w, 3))
    img[h // 3: h // 3 + 4, :, :] = [250, 20, 30]           # a red stripe: sharp chroma edges
    img[:, w // 2: w // 2 + 2, :] = [0, 0, 0]               # a black column
    img[0:3, 0:3] = [255, 255, 255]
    img[-3:, -3:] = [0, 0, 0]
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def alpha_plane(w=W, h=H):
    """Full range of alpha values, including fully transparent and fully opaque regions."""
    y, x = np.mgrid[0:h, 0:w]
    a = (x * 255 // max(w - 1, 1)).astype(np.uint8)
    a[: h // 4] = 0
    a[-(h // 4):] = 255
    return a


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def record(name, compare="exact", note="", white=False, transform=None):
    """Decodes NAME with Pillow the way the reference pipeline does and stores the expected pixels."""
    path = os.path.join(HERE, name)
    im = Image.open(path)
    if transform == "exif":
        im = ImageOps.exif_transpose(im)
    rgb = im.convert("RGB")
    arr = np.asarray(rgb, dtype=np.uint8)
    arr.tofile(os.path.join(EXPECTED, name + ".rgb"))
    has_white = False
    if white:
        rgba = Image.open(path).convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        np.asarray(Image.alpha_composite(bg, rgba).convert("RGB"), dtype=np.uint8).tofile(
            os.path.join(EXPECTED, name + ".white.rgb"))
        has_white = True
    MANIFEST.append((name, rgb.size[0], rgb.size[1], compare, "white" if has_white else "-",
                     "exif" if transform == "exif" else "-", note))


# ----------------------------------------------------------------------------------------------
# PNG: a writer of our own for the bit depths and colour types Pillow cannot save.

def png_chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def png_filter_rows(raw_rows, bpp):
    """Filters each scanline, cycling through all five PNG filter types so the decoder meets each."""
    out = bytearray()
    prev = np.zeros(len(raw_rows[0]) if raw_rows else 0, dtype=np.int32)
    for i, row in enumerate(raw_rows):
        cur = np.frombuffer(bytes(row), dtype=np.uint8).astype(np.int32)
        ftype = i % 5
        left = np.concatenate([np.zeros(bpp, np.int32), cur[:-bpp]]) if len(cur) else cur
        upleft = np.concatenate([np.zeros(bpp, np.int32), prev[:-bpp]]) if len(cur) else cur
        if ftype == 0:
            f = cur
        elif ftype == 1:
            f = cur - left
        elif ftype == 2:
            f = cur - prev
        elif ftype == 3:
            f = cur - (left + prev) // 2
        else:
            p = left + prev - upleft
            pa, pb, pc = np.abs(p - left), np.abs(p - prev), np.abs(p - upleft)
            pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, prev, upleft))
            f = cur - pred
        out.append(ftype)
        out += (f & 0xFF).astype(np.uint8).tobytes()
        prev = cur
    return bytes(out)


def pack_samples(samples, bit_depth):
    """One scanline: a 1-D array of samples -> bytes, packing sub-byte depths MSB first."""
    samples = np.asarray(samples)
    if bit_depth == 16:
        return samples.astype(">u2").tobytes()
    if bit_depth == 8:
        return samples.astype(np.uint8).tobytes()
    per = 8 // bit_depth
    pad = (-len(samples)) % per
    s = np.concatenate([samples, np.zeros(pad, dtype=samples.dtype)]).astype(np.uint8).reshape(-1, per)
    out = np.zeros(len(s), dtype=np.uint8)
    for j in range(per):
        out |= (s[:, j] << (8 - bit_depth * (j + 1))).astype(np.uint8)
    return out.tobytes()


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def png_bytes(pixels, bit_depth, color_type, plte=None, trns=None, interlace=False, extra_chunks=()):
    """pixels: (h, w, channels) array of sample values (already at bit depth)."""
    h, w, ch = pixels.shape
    bits_pp = bit_depth * ch
    bpp = max(1, bits_pp // 8)

    def rows_of(img):
        return [pack_samples(img[y].reshape(-1), bit_depth) for y in range(img.shape[0])]

    if interlace:
        data = b""
        for x0, y0, dx, dy in ADAM7:
            sub = pixels[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                data += png_filter_rows(rows_of(sub), bpp)
    else:
        data = png_filter_rows(rows_of(pixels), bpp)
    s = b"\x89PNG\r\n\x1a\n"
    s += png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 1 if interlace else 0))
    if plte is not None:
        s += png_chunk(b"PLTE", bytes(plte))
    if trns is not None:
        s += png_chunk(b"tRNS", bytes(trns))
    for tag, body in extra_chunks:
        s += png_chunk(tag, body)
    # Split the image data over several IDAT chunks: decoders must concatenate them.
    z = zlib.compress(data, 9)
    third = max(1, len(z) // 3)
    for i in range(0, len(z), third):
        s += png_chunk(b"IDAT", z[i:i + third])
    s += png_chunk(b"IEND", b"")
    return s


def make_png():
    rgb = content()
    gray8 = (rgb.astype(np.int32) @ [77, 150, 29] >> 8).astype(np.uint8)
    a = alpha_plane()
    y, x = np.mgrid[0:H, 0:W]
    for bd in (1, 2, 4):
        g = (gray8 >> (8 - bd)).reshape(H, W, 1)
        write(f"png_gray{bd}.png", png_bytes(g, bd, 0))
        record(f"png_gray{bd}.png", note=f"{bd}-bit gray: Pillow scales up to 8 bits")
    write("png_gray8.png", png_bytes(gray8.reshape(H, W, 1), 8, 0))
    record("png_gray8.png")
    # 16-bit gray: Pillow opens it as mode I and convert('RGB') CLIPS to 255 (no scaling), so this
    # mixes small values (kept) with large ones (which become white).
    g16 = (gray8.astype(np.int32) * 257).astype(np.int32)
    g16[: H // 2] = gray8[: H // 2]          # top half: values 0..255 survive unchanged
    write("png_gray16.png", png_bytes(g16.reshape(H, W, 1), 16, 0))
    record("png_gray16.png", note="16-bit gray: clipped, not scaled")
    write("png_gray16_interlaced.png", png_bytes(g16.reshape(H, W, 1), 16, 0, interlace=True))
    record("png_gray16_interlaced.png")
    # gray + tRNS colour key
    key = int(gray8[5, 5])
    write("png_gray8_trns.png", png_bytes(gray8.reshape(H, W, 1), 8, 0, trns=struct.pack(">H", key)))
    record("png_gray8_trns.png", white=True)
    write("png_gray16_trns.png", png_bytes(g16.reshape(H, W, 1), 16, 0, trns=struct.pack(">H", int(g16[2, 2]))))
    record("png_gray16_trns.png", white=True)
    # Pillow compares the key with the 8-bit value it shows, using only the key's low byte: a
    # spec-conforming 2-bit key of 1 never matches (the sample shows as 85), a 1-bit key of 0 does.
    write("png_gray1_trns.png", png_bytes((gray8 >> 7).reshape(H, W, 1), 1, 0, trns=struct.pack(">H", 0)))
    record("png_gray1_trns.png", white=True)
    write("png_gray2_trns.png", png_bytes((gray8 >> 6).reshape(H, W, 1), 2, 0, trns=struct.pack(">H", 1)))
    record("png_gray2_trns.png", white=True, note="2-bit key never matches in Pillow")
    # gray + alpha
    la = np.stack([gray8, a], -1)
    write("png_la8.png", png_bytes(la, 8, 4))
    record("png_la8.png", white=True)
    la16 = np.stack([gray8.astype(np.int32) * 256 + (x * 9 % 256), a.astype(np.int32) * 256 + (y % 7)], -1)
    write("png_la16.png", png_bytes(la16, 16, 4))
    record("png_la16.png", white=True, note="16-bit LA: Pillow opens it as RGBA keeping high bytes")
    # truecolour
    write("png_rgb8.png", png_bytes(rgb, 8, 2))
    record("png_rgb8.png")
    Image.fromarray(rgb).save(os.path.join(HERE, "png_rgb8_pillow.png"))   # Pillow's adaptive filters
    record("png_rgb8_pillow.png")
    rgb16 = rgb.astype(np.int32) * 256 + ((x * 7 + y * 13) % 256)[..., None]
    write("png_rgb16.png", png_bytes(rgb16, 16, 2))
    record("png_rgb16.png", note="16-bit RGB: Pillow keeps the high byte")
    write("png_rgb8_interlaced.png", png_bytes(rgb, 8, 2, interlace=True))
    record("png_rgb8_interlaced.png")
    kr, kg, kb = (int(v) for v in rgb[H // 3 + 1, 3])
    write("png_rgb8_trns.png", png_bytes(rgb, 8, 2, trns=struct.pack(">HHH", kr, kg, kb)))
    record("png_rgb8_trns.png", white=True)
    k16 = tuple(int(v) for v in rgb16[H // 3 + 1, 3])
    write("png_rgb16_trns.png", png_bytes(rgb16, 16, 2, trns=struct.pack(">HHH", *k16)))
    record("png_rgb16_trns.png", white=True, note="Pillow matches the key's low bytes against the high bytes")
    rgba = np.concatenate([rgb, a[..., None]], -1)
    write("png_rgba8.png", png_bytes(rgba, 8, 6))
    record("png_rgba8.png", white=True, note="alpha dropped, colour under alpha=0 kept")
    rgba16 = np.concatenate([rgb16, (a.astype(np.int32) * 257)[..., None]], -1)
    write("png_rgba16.png", png_bytes(rgba16, 16, 6))
    record("png_rgba16.png", white=True)
    write("png_rgba16_interlaced.png", png_bytes(rgba16, 16, 6, interlace=True))
    record("png_rgba16_interlaced.png", white=True)
    # palettes
    for bd in (1, 2, 4, 8):
        n = 1 << bd
        pal = (np.random.default_rng(bd).integers(0, 256, (n, 3))).astype(np.uint8)
        idx = ((x * 3 + y * 5) % n).astype(np.uint8)
        write(f"png_pal{bd}.png", png_bytes(idx.reshape(H, W, 1), bd, 3, plte=pal.tobytes()))
        record(f"png_pal{bd}.png")
    pal = np.random.default_rng(9).integers(0, 256, (16, 3)).astype(np.uint8)
    idx = ((x + y) % 16).astype(np.uint8)
    alphas = bytes([0, 64, 128, 200, 255, 30, 255, 90])          # shorter than the palette: rest opaque
    write("png_pal4_trns.png", png_bytes(idx.reshape(H, W, 1), 4, 3, plte=pal.tobytes(), trns=alphas))
    record("png_pal4_trns.png", white=True)
    write("png_pal8_trns_interlaced.png",
          png_bytes(idx.reshape(H, W, 1), 8, 3, plte=pal.tobytes(), trns=alphas, interlace=True))
    record("png_pal8_trns_interlaced.png", white=True)
    # Indices beyond a short palette: Pillow shows them as grey (index, index, index).
    idx = ((x * 11 + y) % 40).astype(np.uint8)
    write("png_pal8_short.png", png_bytes(idx.reshape(H, W, 1), 8, 3, plte=pal[:10].tobytes()))
    record("png_pal8_short.png", note="out-of-palette indices are grey in Pillow")
    # 1-bit gray saved by Pillow (mode '1')
    Image.fromarray(gray8 > 128).save(os.path.join(HERE, "png_bilevel_pillow.png"))
    record("png_bilevel_pillow.png")
    # Ancillary chunks the decoder must skip (text, gamma, unknown private chunk before and after IDAT).
    write("png_rgb8_chunks.png", png_bytes(rgb, 8, 2, extra_chunks=[
        (b"gAMA", struct.pack(">I", 45455)), (b"tEXt", b"Comment\x00hello"), (b"prVt", b"\x01\x02\x03")]))
    record("png_rgb8_chunks.png", note="gAMA is ignored by Pillow, so by us too")


# ----------------------------------------------------------------------------------------------
# JPEG: Pillow writes the usual kinds; a tiny baseline encoder of our own writes the others.

def dct_matrix():
    d = np.zeros((8, 8))
    for u in range(8):
        for xx in range(8):
            d[u, xx] = (math.sqrt(1 / 8) if u == 0 else math.sqrt(2 / 8)) * math.cos((2 * xx + 1) * u * math.pi / 16)
    return d


DCT = dct_matrix()
ZIGZAG = sorted(((u, v) for u in range(8) for v in range(8)),
                key=lambda p: (p[0] + p[1], p[1] if (p[0] + p[1]) % 2 == 0 else p[0]))
Q_FLAT = np.full(64, 4, dtype=np.int32)      # fine quantisation: keeps the picture recognisable


def bitcount(v):
    v = abs(int(v))
    n = 0
    while v:
        n += 1
        v >>= 1
    return n


class BitWriter:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, code, length):
        for i in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((code >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0)          # byte stuffing
                self.acc = 0
                self.n = 0

    def flush(self):
        while self.n:
            self.put(1, 1)                       # pad with 1-bits


def flat_huffman(symbols):
    """A valid Huffman table giving every symbol the same length; the all-ones code stays unused."""
    symbols = sorted(set(symbols))
    length = max(1, math.ceil(math.log2(len(symbols) + 1)))
    bits = [0] * 16
    bits[length - 1] = len(symbols)
    return bits, symbols, {s: (i, length) for i, s in enumerate(symbols)}


def jpeg_encode(planes, sampling, comp_ids, adobe_transform=None, jfif=False, restart=0):
    """Baseline JPEG of full-resolution component planes (uint8 arrays), one interleaved scan."""
    h_img, w_img = planes[0].shape
    hmax = max(s[0] for s in sampling)
    vmax = max(s[1] for s in sampling)
    mcux = -(-w_img // (8 * hmax))
    mcuy = -(-h_img // (8 * vmax))
    comps = []
    for plane, (hs, vs) in zip(planes, sampling):
        pw, ph = mcux * 8 * hmax, mcuy * 8 * vmax
        padded = np.pad(plane.astype(np.float64), ((0, ph - h_img), (0, pw - w_img)), mode="edge")
        fx, fy = hmax // hs, vmax // vs
        down = padded.reshape(ph // fy, fy, pw // fx, fx).mean(axis=(1, 3))
        coefs = {}
        for by in range(down.shape[0] // 8):
            for bx in range(down.shape[1] // 8):
                blk = down[by * 8:by * 8 + 8, bx * 8:bx * 8 + 8] - 128
                f = DCT @ blk @ DCT.T
                coefs[(by, bx)] = [int(round(f[u, v] / Q_FLAT[i])) for i, (u, v) in enumerate(ZIGZAG)]
        comps.append((hs, vs, coefs))
    # Gather symbols first so the flat Huffman tables cover exactly what is used.
    units = []
    for my in range(mcuy):
        for mx in range(mcux):
            for ci, (hs, vs, coefs) in enumerate(comps):
                for v in range(vs):
                    for u in range(hs):
                        units.append((ci, coefs[(my * vs + v, mx * hs + u)]))
    dc_syms, ac_syms = set(), set()
    preds = [0] * len(comps)
    mcu_units = sum(hs * vs for hs, vs, _ in comps)
    for k, (ci, zz) in enumerate(units):
        if restart and k % (restart * mcu_units) == 0:
            preds = [0] * len(comps)
        diff = zz[0] - preds[ci]
        preds[ci] = zz[0]
        dc_syms.add(bitcount(diff))
        run = 0
        for c in zz[1:]:
            if c == 0:
                run += 1
                continue
            while run > 15:
                ac_syms.add(0xF0)
                run -= 16
            ac_syms.add((run << 4) | bitcount(c))
            run = 0
        if run:
            ac_syms.add(0x00)
    dc_bits, dc_vals, dc_code = flat_huffman(dc_syms)
    ac_bits, ac_vals, ac_code = flat_huffman(ac_syms | {0x00})
    bw = BitWriter()
    preds = [0] * len(comps)
    scan = bytearray()
    rst = 0
    for k, (ci, zz) in enumerate(units):
        if restart and k and k % (restart * mcu_units) == 0:
            bw.flush()
            scan += bw.out + bytes([0xFF, 0xD0 + rst])
            rst = (rst + 1) % 8
            bw = BitWriter()
            preds = [0] * len(comps)
        diff = zz[0] - preds[ci]
        preds[ci] = zz[0]
        n = bitcount(diff)
        bw.put(*dc_code[n])
        if n:
            bw.put(diff if diff > 0 else diff + (1 << n) - 1, n)
        run = 0
        for c in zz[1:]:
            if c == 0:
                run += 1
                continue
            while run > 15:
                bw.put(*ac_code[0xF0])
                run -= 16
            n = bitcount(c)
            bw.put(*ac_code[(run << 4) | n])
            bw.put(c if c > 0 else c + (1 << n) - 1, n)
            run = 0
        if run:
            bw.put(*ac_code[0x00])
    bw.flush()
    scan += bw.out

    def seg(marker, body):
        return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body

    out = b"\xff\xd8"
    if jfif:
        out += seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    if adobe_transform is not None:
        out += seg(0xEE, b"Adobe" + struct.pack(">HHHB", 100, 0, 0, adobe_transform))
    out += seg(0xDB, b"\x00" + bytes(int(Q_FLAT[i]) for i in range(64)))
    sof = struct.pack(">BHHB", 8, h_img, w_img, len(comps))
    for cid, (hs, vs, _) in zip(comp_ids, comps):
        sof += struct.pack(">BBB", cid, (hs << 4) | vs, 0)
    out += seg(0xC0, sof)
    out += seg(0xC4, b"\x00" + bytes(dc_bits) + bytes(dc_vals))
    out += seg(0xC4, b"\x10" + bytes(ac_bits) + bytes(ac_vals))
    if restart:
        out += seg(0xDD, struct.pack(">H", restart))
    sos = bytes([len(comps)])
    for cid in comp_ids:
        sos += bytes([cid, 0x00])
    out += seg(0xDA, sos + b"\x00\x3f\x00")
    return out + bytes(scan) + b"\xff\xd9"


def to_ycc(rgb):
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    yy = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return [np.clip(np.round(c), 0, 255).astype(np.uint8) for c in (yy, cb, cr)]


def make_jpeg():
    rgb = content(45, 31, seed=2)          # 45x31: partial MCUs both ways for every sampling
    im = Image.fromarray(rgb)
    for sub, name in ((0, "444"), (1, "422"), (2, "420")):
        im.save(os.path.join(HERE, f"jpeg_{name}.jpg"), quality=90, subsampling=sub)
        record(f"jpeg_{name}.jpg", note=f"Pillow baseline {name}")
    im.save(os.path.join(HERE, "jpeg_progressive.jpg"), quality=85, progressive=True)
    record("jpeg_progressive.jpg", note="progressive, spectral selection + successive approximation")
    im.save(os.path.join(HERE, "jpeg_progressive_444.jpg"), quality=95, progressive=True, subsampling=0)
    record("jpeg_progressive_444.jpg")
    im.save(os.path.join(HERE, "jpeg_optimized.jpg"), quality=75, optimize=True)
    record("jpeg_optimized.jpg", note="optimised Huffman tables")
    im.convert("L").save(os.path.join(HERE, "jpeg_gray.jpg"), quality=90)
    record("jpeg_gray.jpg")
    im.convert("L").save(os.path.join(HERE, "jpeg_gray_progressive.jpg"), quality=90, progressive=True)
    record("jpeg_gray_progressive.jpg")
    # Pillow writes CMYK JPEGs Adobe-style (inverted) with an APP14 marker.
    cmyk = im.convert("CMYK")
    cm = np.asarray(cmyk).copy()
    cm[..., 3] = np.asarray(im.convert("L"))[...] // 3      # some black ink so K matters
    Image.fromarray(cm, "CMYK").save(os.path.join(HERE, "jpeg_cmyk_adobe.jpg"), quality=95)
    record("jpeg_cmyk_adobe.jpg", note="Adobe-inverted CMYK: Pillow's simple CMYK->RGB, no ICC")
    # CMYK without an Adobe marker: Pillow still assumes Adobe polarity and inverts.
    planes = [cm[..., i] for i in range(4)]
    write("jpeg_cmyk_plain.jpg", jpeg_encode(planes, [(1, 1)] * 4, [1, 2, 3, 4]))
    record("jpeg_cmyk_plain.jpg", note="no APP14: Pillow inverts anyway")
    # YCCK (Adobe transform 2): libjpeg turns YCC back into inverted CMY, K passes through.
    c, m, yk, k = (cm[..., i] for i in range(4))
    ycc = to_ycc(np.stack([255 - c, 255 - m, 255 - yk], -1))   # encoders store the inverted CMY as YCC
    write("jpeg_ycck.jpg", jpeg_encode(ycc + [255 - k], [(2, 2), (1, 1), (1, 1), (2, 2)], [1, 2, 3, 4],
                                       adobe_transform=2))
    record("jpeg_ycck.jpg", note="YCCK with 2x2 luma and K")
    # RGB JPEG (Adobe transform 0): no colour conversion at all.
    write("jpeg_rgb_adobe.jpg", jpeg_encode([rgb[..., i] for i in range(3)], [(1, 1)] * 3, [1, 2, 3],
                                            adobe_transform=0))
    record("jpeg_rgb_adobe.jpg")
    # RGB JPEG recognised only by its component ids 'R', 'G', 'B'.
    write("jpeg_rgb_ids.jpg", jpeg_encode([rgb[..., i] for i in range(3)], [(1, 1)] * 3, [82, 71, 66]))
    record("jpeg_rgb_ids.jpg")
    ycc = to_ycc(rgb)
    # 4:4:0 (vertical-only chroma subsampling): libjpeg-turbo's h1v2 fancy upsampling.
    write("jpeg_440.jpg", jpeg_encode(ycc, [(1, 2), (1, 1), (1, 1)], [1, 2, 3], jfif=True))
    record("jpeg_440.jpg")
    # 4:1:1: generic integer upsampling (replication).
    write("jpeg_411.jpg", jpeg_encode(ycc, [(4, 1), (1, 1), (1, 1)], [1, 2, 3], jfif=True))
    record("jpeg_411.jpg")
    # Restart markers every 2 MCUs, 4:2:0.
    write("jpeg_restart.jpg", jpeg_encode(ycc, [(2, 2), (1, 1), (1, 1)], [1, 2, 3], jfif=True, restart=2))
    record("jpeg_restart.jpg")
    # Chroma 2x1 against luma 1x2 and similar oddities are rare; 2x2 luma with 2x1 chroma (h1v2 for chroma)
    write("jpeg_mixed.jpg", jpeg_encode(ycc, [(2, 2), (2, 1), (1, 2)], [1, 2, 3], jfif=True))
    record("jpeg_mixed.jpg", note="per-component h1v2 and h2v1 upsampling")
    # Ten MCU rows: enough rows for the decoder to hand work to several threads
    # while it is still decoding, which the tiny fixtures above do not exercise.
    Image.fromarray(content(200, 157, seed=6)).save(os.path.join(HERE, "jpeg_420_medium.jpg"), quality=80)
    record("jpeg_420_medium.jpg", note="several MCU rows: pipelined reconstruction")
    # A 1-pixel-wide strip: downsampled width <= 2 switches libjpeg to plain replication.
    Image.fromarray(content(3, 40, seed=5)).save(os.path.join(HERE, "jpeg_narrow.jpg"), quality=90)
    record("jpeg_narrow.jpg", note="narrow: no fancy upsampling")


# ----------------------------------------------------------------------------------------------
# EXIF orientation: PNG (lossless, so the test is exact) with an eXIf chunk, and one JPEG.

def make_exif():
    base = Image.fromarray(content(23, 14, seed=3))    # non-square, so rotations change the size
    for o in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = o
        name = f"exif_orient{o}.png"
        base.save(os.path.join(HERE, name), exif=exif.tobytes())
        record(name, transform="exif", note=f"orientation {o}, expected = ImageOps.exif_transpose")
    exif = Image.Exif()
    exif[0x0112] = 6
    base.save(os.path.join(HERE, "exif_orient6.jpg"), quality=92, exif=exif.tobytes())
    record("exif_orient6.jpg", transform="exif")
    base.save(os.path.join(HERE, "exif_orient6.webp"), lossless=True, exif=exif.tobytes())
    record("exif_orient6.webp", transform="exif")
    # Pillow's TIFF plugin applies the Orientation tag while loading: convert('RGB') is already upright.
    # (ImageOps.exif_transpose would then turn it a second time, a Pillow 9.4 bug we do not copy.)
    for o in (2, 6):
        exif = Image.Exif()
        exif[0x0112] = o
        base.save(os.path.join(HERE, f"tiff_orient{o}.tif"), exif=exif.tobytes())
        record(f"tiff_orient{o}.tif", note="Pillow rotates TIFFs on load")


# ----------------------------------------------------------------------------------------------
# GIF: Pillow's writer (interlaced by default) plus a hand-made file for screen/frame offsets.

def lzw_literal_stream(indices, min_code_size):
    """Valid GIF LZW data using only literal codes, clearing before the code width would grow."""
    clear, eoi = 1 << min_code_size, (1 << min_code_size) + 1
    width = min_code_size + 1
    codes = [clear]
    since = 0
    for v in indices:
        if since == (1 << min_code_size) - 3:
            codes.append(clear)
            since = 0
        codes.append(int(v))
        since += 1
    codes.append(eoi)
    acc, n, out = 0, 0, bytearray()
    for c in codes:
        acc |= c << n
        n += width
        while n >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            n -= 8
    if n:
        out.append(acc & 0xFF)
    blocks = bytearray([min_code_size])
    for i in range(0, len(out), 255):
        part = out[i:i + 255]
        blocks.append(len(part))
        blocks += part
    blocks.append(0)
    return bytes(blocks)


def make_gif():
    rgb = content()
    pal_im = Image.fromarray(rgb).quantize(32, method=Image.Quantize.MEDIANCUT)
    pal_im.save(os.path.join(HERE, "gif_basic.gif"))
    record("gif_basic.gif", note="Pillow writes interlaced GIFs")
    pal_im.save(os.path.join(HERE, "gif_transparent.gif"), transparency=3, interlace=False)
    record("gif_transparent.gif", white=True, note="transparent index keeps its palette colour")
    Image.fromarray(np.asarray(Image.fromarray(rgb).convert("L"))).save(os.path.join(HERE, "gif_gray.gif"))
    record("gif_gray.gif", note="grey palette")
    frames = [Image.fromarray(content(seed=s)).quantize(16) for s in (4, 5, 6)]
    frames[0].save(os.path.join(HERE, "gif_animated.gif"), save_all=True, append_images=frames[1:], duration=50, loop=0)
    record("gif_animated.gif", note="first frame only")
    # Hand-made: 40x30 screen, global palette of 8, a 20x12 frame at (7, 9) with a local palette,
    # transparency index 2 -> the area outside the frame is index 2 of the frame's palette.
    sw, sh, fw, fh = 40, 30, 20, 12
    gpal = np.random.default_rng(7).integers(0, 256, (8, 3)).astype(np.uint8)
    lpal = np.random.default_rng(8).integers(0, 256, (16, 3)).astype(np.uint8)
    fy, fx = np.mgrid[0:fh, 0:fw]
    idx = ((fx + 2 * fy) % 16).astype(np.uint8)
    s = b"GIF89a" + struct.pack("<HHBBB", sw, sh, 0x80 | 0x70 | 2, 1, 0) + gpal.tobytes()
    s += b"\x21\xf9\x04" + bytes([0x01]) + struct.pack("<H", 0) + bytes([2, 0])      # GCE, transparent 2
    s += b"\x2c" + struct.pack("<HHHH", 7, 9, fw, fh) + bytes([0x80 | 3]) + lpal.tobytes()
    s += lzw_literal_stream(idx.reshape(-1), 4) + b"\x3b"
    write("gif_offset_frame.gif", s)
    record("gif_offset_frame.gif", white=True, note="frame smaller than screen, local palette")
    # Same without transparency: outside the frame Pillow shows palette index 0, not the background.
    s2 = s.replace(b"\x21\xf9\x04\x01\x00\x00\x02\x00", b"\x21\xf9\x04\x00\x00\x00\x00\x00")
    write("gif_offset_opaque.gif", s2)
    record("gif_offset_opaque.gif")


# ----------------------------------------------------------------------------------------------
# BMP: Pillow's writer plus hand-made variants (RLE, 16-bit, bitfields, top-down, OS/2 header).

def bmp_bytes(w, h, bits, rows, palette=None, compression=0, masks=None, header=40, top_down=False):
    """rows: list of raw row bytes bottom-up (or top-down if top_down), already padded to 4 bytes."""
    pix = b"".join(rows)
    pal = b""
    if palette is not None:
        pal = b"".join(bytes([b, g, r]) + (b"" if header == 12 else b"\x00") for r, g, b in palette)
    if header == 12:
        info = struct.pack("<IHHHH", 12, w, h, 1, bits)
    else:
        info = struct.pack("<IiiHHIIiiII", header if masks is None else max(header, 40), w, -h if top_down else h,
                           1, bits, compression, len(pix), 2835, 2835, len(palette) if palette is not None else 0, 0)
        if masks is not None:
            if header >= 56:
                info = info[:0] + struct.pack("<I", header) + info[4:]
                info += struct.pack("<IIII", *masks) + b"\x00" * (header - 56)
            else:
                info += struct.pack("<III", *masks[:3])     # BITMAPINFOHEADER + 3 masks after it
    offset = 14 + len(info) + len(pal)
    return b"BM" + struct.pack("<IHHI", offset + len(pix), 0, 0, offset) + info + pal + pix


def pad4(b):
    return b + b"\x00" * ((-len(b)) % 4)


def rle8(row):
    """Encoded runs (at most 255) then end-of-line; absolute mode for a short literal stretch."""
    out = bytearray()
    i = 0
    while i < len(row):
        j = i
        while j < len(row) and row[j] == row[i] and j - i < 255:
            j += 1
        if j - i >= 2 or len(row) - i < 3:
            out += bytes([j - i, row[i]])
            i = j
        else:
            k = min(len(row), i + 5)               # absolute run of up to 5 pixels
            lit = row[i:k]
            if len(lit) < 3:
                for v in lit:
                    out += bytes([1, v])
            else:
                out += bytes([0, len(lit)]) + bytes(lit) + (b"\x00" if len(lit) % 2 else b"")
            i = k
    return bytes(out) + b"\x00\x00"


def make_bmp():
    rgb = content()
    im = Image.fromarray(rgb)
    im.save(os.path.join(HERE, "bmp_rgb24.bmp"))
    record("bmp_rgb24.bmp")
    im.quantize(200).save(os.path.join(HERE, "bmp_pal8.bmp"))
    record("bmp_pal8.bmp")
    im.convert("1").save(os.path.join(HERE, "bmp_1bit.bmp"))
    record("bmp_1bit.bmp")
    im.convert("L").save(os.path.join(HERE, "bmp_gray8.bmp"))
    record("bmp_gray8.bmp")
    a = alpha_plane()
    Image.fromarray(np.concatenate([rgb, a[..., None]], -1)).save(os.path.join(HERE, "bmp_rgba32_bi_rgb.bmp"))
    record("bmp_rgba32_bi_rgb.bmp", note="32-bit BI_RGB: Pillow ignores the 4th byte")
    y, x = np.mgrid[0:H, 0:W]
    # 4-bit palette
    pal = [tuple(int(c) for c in v) for v in np.random.default_rng(11).integers(0, 256, (16, 3))]
    idx = ((x + y * 3) % 16).astype(np.uint8)
    rows = [pad4(pack_samples(idx[r], 4)) for r in range(H - 1, -1, -1)]
    write("bmp_pal4.bmp", bmp_bytes(W, H, 4, rows, palette=pal))
    record("bmp_pal4.bmp")
    # RLE8 and RLE4
    idx8 = (((x // 4) * 7 + y) % 50).astype(np.uint8)
    pal50 = [tuple(int(c) for c in v) for v in np.random.default_rng(12).integers(0, 256, (50, 3))]
    rle = b"".join(rle8(list(idx8[r])) for r in range(H - 1, -1, -1)) + b"\x00\x01"
    write("bmp_rle8.bmp", bmp_bytes(W, H, 8, [rle], palette=pal50, compression=1))
    record("bmp_rle8.bmp")
    # RLE4: encoded runs only (alternating nibble pairs), end-of-line after each row.
    out = bytearray()
    for r in range(H - 1, -1, -1):
        row = idx[r]
        i = 0
        while i < W:
            n = min(W - i, 8)
            out += bytes([n, (int(row[i]) << 4) | int(row[i + 1] if i + 1 < W else row[i])])
            i += n
        out += b"\x00\x00"
    out += b"\x00\x01"
    write("bmp_rle4.bmp", bmp_bytes(W, H, 4, [bytes(out)], palette=pal, compression=2))
    record("bmp_rle4.bmp")
    # 16-bit 5-5-5 (BI_RGB) and 5-6-5 (BITFIELDS)
    r5, g5, b5 = (rgb[..., 0] >> 3).astype(np.uint16), (rgb[..., 1] >> 3).astype(np.uint16), (rgb[..., 2] >> 3).astype(np.uint16)
    v555 = (r5 << 10) | (g5 << 5) | b5
    rows = [pad4(v555[r].astype("<u2").tobytes()) for r in range(H - 1, -1, -1)]
    write("bmp_rgb555.bmp", bmp_bytes(W, H, 16, rows))
    record("bmp_rgb555.bmp")
    g6 = (rgb[..., 1] >> 2).astype(np.uint16)
    v565 = (r5 << 11) | (g6 << 5) | b5
    rows = [pad4(v565[r].astype("<u2").tobytes()) for r in range(H - 1, -1, -1)]
    write("bmp_rgb565.bmp", bmp_bytes(W, H, 16, rows, compression=3, masks=(0xF800, 0x7E0, 0x1F, 0)))
    record("bmp_rgb565.bmp")
    # 32-bit BITFIELDS with an alpha mask (BITMAPV5-style header): Pillow opens it as RGBA.
    bgra = np.concatenate([rgb[..., ::-1], a[..., None]], -1)
    rows = [bgra[r].tobytes() for r in range(H - 1, -1, -1)]
    write("bmp_bgra32_bitfields.bmp", bmp_bytes(W, H, 32, rows, compression=3,
                                                 masks=(0xFF0000, 0xFF00, 0xFF, 0xFF000000), header=124))
    record("bmp_bgra32_bitfields.bmp", white=True)
    # Top-down 24-bit
    rows = [pad4(rgb[r, :, ::-1].tobytes()) for r in range(H)]
    write("bmp_topdown.bmp", bmp_bytes(W, H, 24, rows, top_down=True))
    record("bmp_topdown.bmp")
    # OS/2 1.x header (12 bytes, 3-byte palette entries), 8-bit
    idx2 = ((x * 5 + y) % 20).astype(np.uint8)
    pal20 = [tuple(int(c) for c in v) for v in np.random.default_rng(13).integers(0, 256, (256, 3))]
    rows = [pad4(idx2[r].tobytes()) for r in range(H - 1, -1, -1)]
    write("bmp_os2.bmp", bmp_bytes(W, H, 8, rows, palette=pal20, header=12))
    record("bmp_os2.bmp")


# ----------------------------------------------------------------------------------------------
# WebP and TIFF through Pillow's writers.

def make_webp():
    rgb = content()
    a = alpha_plane()
    im = Image.fromarray(rgb)
    im.save(os.path.join(HERE, "webp_lossless.webp"), lossless=True)
    record("webp_lossless.webp")
    rgba = Image.fromarray(np.concatenate([rgb, a[..., None]], -1))
    rgba.save(os.path.join(HERE, "webp_lossless_alpha.webp"), lossless=True, exact=True)
    record("webp_lossless_alpha.webp", white=True)
    # Lossy WebP: smooth, photo-like content. TwelveMonkeys' VP8 decoder replicates chroma where libwebp
    # interpolates it ("fancy upsampling"), so only an approximate match is possible; noise-free content
    # keeps that difference representative of photographs rather than of worst-case chroma noise.
    sy, sx = np.mgrid[0:48, 0:64].astype(np.float64)
    smooth = np.stack([128 + 100 * np.sin(sx / 17) * np.cos(sy / 11), 128 + 90 * np.sin((sx + sy) / 23),
                       128 + 80 * np.cos(np.hypot(sx - 30, sy - 20) / 9)], -1)
    smooth = np.clip(np.round(smooth), 0, 255).astype(np.uint8)
    Image.fromarray(smooth).save(os.path.join(HERE, "webp_lossy.webp"), quality=90)
    record("webp_lossy.webp", compare="approx", note="lossy: TwelveMonkeys' VP8 decoder is not libwebp")
    sa = np.clip(sx * 4, 0, 255).astype(np.uint8)
    Image.fromarray(np.concatenate([smooth, sa[..., None]], -1)).save(os.path.join(HERE, "webp_lossy_alpha.webp"), quality=90)
    record("webp_lossy_alpha.webp", compare="approx", white=True)


def make_tiff():
    rgb = content()
    a = alpha_plane()
    im = Image.fromarray(rgb)
    im.save(os.path.join(HERE, "tiff_rgb.tif"))
    record("tiff_rgb.tif")
    im.save(os.path.join(HERE, "tiff_rgb_lzw.tif"), compression="tiff_lzw")
    record("tiff_rgb_lzw.tif")
    im.save(os.path.join(HERE, "tiff_rgb_deflate.tif"), compression="tiff_adobe_deflate")
    record("tiff_rgb_deflate.tif")
    im.save(os.path.join(HERE, "tiff_rgb_packbits.tif"), compression="packbits")
    record("tiff_rgb_packbits.tif")
    Image.fromarray(np.concatenate([rgb, a[..., None]], -1)).save(os.path.join(HERE, "tiff_rgba.tif"))
    record("tiff_rgba.tif", white=True)
    im.convert("L").save(os.path.join(HERE, "tiff_gray.tif"))
    record("tiff_gray.tif")
    im.convert("1").save(os.path.join(HERE, "tiff_bilevel_g4.tif"), compression="group4")
    record("tiff_bilevel_g4.tif")
    im.quantize(64).save(os.path.join(HERE, "tiff_palette.tif"))
    record("tiff_palette.tif")
    cmyk = np.asarray(im.convert("CMYK")).copy()
    cmyk[..., 3] = np.asarray(im.convert("L")) // 4
    Image.fromarray(cmyk, "CMYK").save(os.path.join(HERE, "tiff_cmyk.tif"))
    record("tiff_cmyk.tif", note="Pillow's simple CMYK->RGB (no inversion for TIFF)")
    g16 = (np.asarray(im.convert("L")).astype(np.uint16) * 257)
    g16[: H // 2] //= 257
    Image.fromarray(g16.astype(np.uint16), "I;16").save(os.path.join(HERE, "tiff_gray16.tif"))
    record("tiff_gray16.tif", note="16-bit gray clips like the PNG case")
    frames = [im, Image.fromarray(content(seed=9))]
    frames[0].save(os.path.join(HERE, "tiff_multipage.tif"), save_all=True, append_images=frames[1:])
    record("tiff_multipage.tif", note="first page")


def main():
    os.makedirs(EXPECTED, exist_ok=True)
    for f in os.listdir(EXPECTED):
        os.remove(os.path.join(EXPECTED, f))
    make_png()
    make_jpeg()
    make_exif()
    make_gif()
    make_bmp()
    make_webp()
    make_tiff()
    with open(os.path.join(HERE, "fixtures.tsv"), "w") as f:
        f.write("# file\twidth\theight\tcompare\twhite\texif\tnote  (written by make_fixtures.py)\n")
        for row in MANIFEST:
            f.write("\t".join(str(v) for v in row) + "\n")


if __name__ == "__main__":
    main()
