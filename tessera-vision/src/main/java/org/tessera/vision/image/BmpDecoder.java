package org.tessera.vision.image;

/**
 * BMP decoder following Pillow 9.4's {@code BmpImagePlugin} rule for rule, so that
 * {@code convert('RGB')} results match:
 * <ul>
 *   <li>32-bit uncompressed (BI_RGB) pixels are read as BGRX: the fourth byte is ignored even when it
 *       holds alpha; only BI_BITFIELDS with an alpha mask gives an RGBA image;</li>
 *   <li>16-bit pixels are 5-5-5 (BI_RGB) or 5-6-5 / 5-5-5 (BI_BITFIELDS), each channel scaled with
 *       {@code v * 255 / max} as Pillow's unpackers do; other bit-field layouts are refused as in Pillow;</li>
 *   <li>RLE4/RLE8 follow Pillow's own decoder, including its handling of runs past the row end, its
 *       delta escape (which reads the two bytes after the offsets), word alignment measured from the start of
 *       the file, and odd-length RLE4 literal runs (the last pixel is dropped);</li>
 *   <li>indices past the palette show as grey {@code (i, i, i)}.</li>
 * </ul>
 * Header sizes 12 (OS/2 1.x), 40, 52, 56, 64, 108 and 124 are read; missing pixel data is an error.
 */
final class BmpDecoder {
    private BmpDecoder() {}

    private static final int RAW = 0, RLE8 = 1, RLE4 = 2, BITFIELDS = 3;

    private record Header(int width, int height, boolean topDown, int bits, int compression, int colors,
                          long[] masks, int paletteOffset, int paletteEntrySize, long pixelOffset) {}

    static ImageInfo probe(byte[] d) {
        Header h = header(d);
        return new ImageInfo(ImageFormat.BMP, h.width, h.height, 1, 1);
    }

    private static Header header(byte[] d) {
        if (d.length < 26) throw new DecodeException("truncated BMP data (no complete header)");
        long offset = u32(d, 10);
        int hs = (int) u32(d, 14);
        int w, h, bits, compression = RAW, colors = 0;
        boolean topDown = false;
        long[] masks = null;
        int pos = 14 + hs;
        int entry = 4;
        if (hs == 12) {
            w = u16(d, 18);
            h = u16(d, 20);
            bits = u16(d, 24);
            entry = 3;
        } else if (hs == 40 || hs == 52 || hs == 56 || hs == 64 || hs == 108 || hs == 124) {
            if (d.length < 14 + Math.min(hs, 40)) throw new DecodeException("truncated BMP data (no complete header)");
            w = (int) u32(d, 18);
            long rawH = u32(d, 22);
            // Pillow's test for a top-down bitmap: the height's top byte is 0xFF.
            topDown = (rawH >>> 24) == 0xFF;
            long hh = topDown ? (1L << 32) - rawH : rawH;
            if (hh > Integer.MAX_VALUE) throw new DecodeException("corrupt BMP data (invalid height)");
            h = (int) hh;
            bits = u16(d, 28);
            compression = (int) u32(d, 30);
            colors = (int) Math.min(u32(d, 46), Integer.MAX_VALUE);
            if (compression == BITFIELDS) {
                if (hs >= 56 && d.length >= 14 + 56) {
                    masks = new long[] {u32(d, 54), u32(d, 58), u32(d, 62), u32(d, 66)};
                } else if (hs == 52 && d.length >= 14 + 52) {
                    masks = new long[] {u32(d, 54), u32(d, 58), u32(d, 62), 0};
                } else {
                    if (d.length < pos + 12) throw new DecodeException("truncated BMP data (bit masks missing)");
                    masks = new long[] {u32(d, pos), u32(d, pos + 4), u32(d, pos + 8), 0};
                    pos += 12;
                }
            }
        } else {
            throw new DecodeException("unsupported BMP header type (size " + hs + ")");
        }
        if (w <= 0 || h <= 0) throw new DecodeException("corrupt BMP data (invalid size " + w + "x" + h + ")");
        if (colors == 0) colors = bits < 31 ? 1 << bits : 0;
        if (offset == 14 + hs && bits <= 8) offset += 4L * colors;     // Pillow's fix for writers that omit the palette size
        return new Header(w, h, topDown, bits, compression, colors, masks, pos, entry, offset);
    }

    static Decoded decode(byte[] d, long maxPixels, boolean wantAlpha) {
        Header h = header(d);
        Limits.check(h.width, h.height, maxPixels, "");
        int w = h.width, hh = h.height;
        int bits = h.bits;
        String layout;    // Pillow's raw mode for the pixels
        switch (bits) {
            case 1, 4, 8 -> layout = "P";
            case 16 -> layout = "BGR;15";
            case 24 -> layout = "BGR";
            case 32 -> layout = "BGRX";
            default -> throw new DecodeException("unsupported BMP pixel depth (" + bits + " bits)");
        }
        if (h.compression == BITFIELDS) {
            long[] m = h.masks;
            layout = null;
            if (bits == 32) {
                if (eq(m, 0xFF0000, 0xFF00, 0xFF, 0)) layout = "BGRX";
                else if (eq(m, 0xFF000000L, 0xFF0000, 0xFF00, 0)) layout = "XBGR";
                else if (eq(m, 0xFF000000L, 0xFF0000, 0xFF00, 0xFF)) layout = "ABGR";
                else if (eq(m, 0xFF, 0xFF00, 0xFF0000, 0xFF000000L)) layout = "RGBA";
                else if (eq(m, 0xFF0000, 0xFF00, 0xFF, 0xFF000000L)) layout = "BGRA";
                else if (eq(m, 0, 0, 0, 0)) layout = "BGRA";
            } else if (bits == 24) {
                if (m[0] == 0xFF0000 && m[1] == 0xFF00 && m[2] == 0xFF) layout = "BGR";
            } else if (bits == 16) {
                if (m[0] == 0xF800 && m[1] == 0x7E0 && m[2] == 0x1F) layout = "BGR;16";
                else if (m[0] == 0x7C00 && m[1] == 0x3E0 && m[2] == 0x1F) layout = "BGR;15";
            }
            if (layout == null) throw new DecodeException("unsupported BMP bit-field layout");
        } else if (h.compression == RLE8 || h.compression == RLE4) {
            if (bits != (h.compression == RLE8 ? 8 : 4)) throw new DecodeException("corrupt BMP data (RLE with " + bits + " bits)");
        } else if (h.compression != RAW) {
            throw new DecodeException("unsupported BMP compression (" + h.compression + ")");
        }
        byte[] palette = null;
        if (bits <= 8) {
            if (h.colors <= 0 || h.colors > 65536) throw new DecodeException("unsupported BMP palette size (" + h.colors + ")");
            palette = new byte[768];
            for (int i = 0; i < 256; i++) palette[3 * i] = palette[3 * i + 1] = palette[3 * i + 2] = (byte) i;
            int n = Math.min(h.colors, 256);
            if ((long) h.paletteOffset + (long) n * h.paletteEntrySize > d.length) {
                throw new DecodeException("truncated BMP data (in the palette)");
            }
            for (int i = 0; i < n; i++) {
                int p = h.paletteOffset + i * h.paletteEntrySize;
                palette[3 * i] = d[p + 2];
                palette[3 * i + 1] = d[p + 1];
                palette[3 * i + 2] = d[p];
            }
        }
        if (h.pixelOffset >= d.length) throw new DecodeException("truncated BMP data (no pixel data)");
        int start = (int) h.pixelOffset;
        byte[] rgb = new byte[w * hh * 3];
        byte[] alpha = wantAlpha && layout.contains("A") ? new byte[w * hh] : null;
        if (h.compression == RLE8 || h.compression == RLE4) {
            byte[] idx = rle(d, start, w, hh, h.compression == RLE4);
            for (int y = 0; y < hh; y++) {
                // Rows come bottom-up unless the height was negative.
                int srcRow = h.topDown ? y : hh - 1 - y;
                for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                    int p = (idx[srcRow * w + x] & 0xFF) * 3;
                    rgb[o] = palette[p];
                    rgb[o + 1] = palette[p + 1];
                    rgb[o + 2] = palette[p + 2];
                }
            }
            return new Decoded(w, hh, rgb, null);
        }
        long stride = (((long) w * bits + 31) >>> 3) & ~3L;
        if (start + stride * hh > d.length) throw new DecodeException("truncated BMP data (pixel data ends early)");
        for (int y = 0; y < hh; y++) {
            int p = (int) (start + stride * (h.topDown ? y : hh - 1 - y));
            int o = y * w * 3;
            int ai = y * w;
            switch (layout) {
                case "P" -> {
                    for (int x = 0; x < w; x++, o += 3) {
                        int idx = bits == 8 ? d[p + x] & 0xFF
                                : ((d[p + (x * bits >>> 3)] & 0xFF) >>> (8 - bits - (x * bits & 7))) & ((1 << bits) - 1);
                        int q = idx * 3;
                        rgb[o] = palette[q];
                        rgb[o + 1] = palette[q + 1];
                        rgb[o + 2] = palette[q + 2];
                    }
                }
                case "BGR" -> {
                    for (int x = 0; x < w; x++, o += 3, p += 3) {
                        rgb[o] = d[p + 2];
                        rgb[o + 1] = d[p + 1];
                        rgb[o + 2] = d[p];
                    }
                }
                case "BGR;15", "BGR;16" -> {
                    boolean six = layout.equals("BGR;16");
                    for (int x = 0; x < w; x++, o += 3, p += 2) {
                        int v = (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8;
                        if (six) {
                            rgb[o] = (byte) (((v >>> 11) & 31) * 255 / 31);
                            rgb[o + 1] = (byte) (((v >>> 5) & 63) * 255 / 63);
                        } else {
                            rgb[o] = (byte) (((v >>> 10) & 31) * 255 / 31);
                            rgb[o + 1] = (byte) (((v >>> 5) & 31) * 255 / 31);
                        }
                        rgb[o + 2] = (byte) ((v & 31) * 255 / 31);
                    }
                }
                default -> {
                    // 32-bit: byte positions of R, G, B and (if any) A within each pixel, from the layout name.
                    int r = layout.indexOf('R'), g = layout.indexOf('G'), b = layout.indexOf('B'), a = layout.indexOf('A');
                    for (int x = 0; x < w; x++, o += 3, p += 4) {
                        rgb[o] = d[p + r];
                        rgb[o + 1] = d[p + g];
                        rgb[o + 2] = d[p + b];
                        if (alpha != null) alpha[ai + x] = d[p + a];
                    }
                }
            }
        }
        return new Decoded(w, hh, rgb, alpha);
    }

    /** Pillow's RLE decoder: a flat list of indices in file order (bottom-up rows), padded at end-of-line. */
    private static byte[] rle(byte[] d, int pos, int w, int h, boolean rle4) {
        long total = (long) w * h;
        byte[] out = new byte[(int) total];
        long n = 0;     // pixels produced (Pillow's len(data)); only the first `total` are kept
        long x = 0;
        while (n < total) {
            if (pos + 2 > d.length) break;
            int count = d[pos] & 0xFF, val = d[pos + 1] & 0xFF;
            pos += 2;
            if (count != 0) {
                if (x + count > w) count = (int) Math.max(0, w - x);
                for (int i = 0; i < count; i++, n++) {
                    byte v = rle4 ? (byte) ((i & 1) == 0 ? val >>> 4 : val & 15) : (byte) val;
                    if (n < total) out[(int) n] = v;
                }
                x += count;
            } else if (val == 0) {
                long pad = (w - n % w) % w;      // end of line: zeros up to the next row
                n += pad;
                x = 0;
            } else if (val == 1) {
                break;
            } else if (val == 2) {
                // Pillow reads two bytes, ignores them, and takes the next two as (right, up).
                if (pos + 2 > d.length) break;
                if (pos + 4 > d.length) throw new DecodeException("truncated BMP data (in an RLE delta)");
                int right = d[pos + 2] & 0xFF, up = d[pos + 3] & 0xFF;
                pos += 4;
                n += right + (long) up * w;
                x = n % w;
            } else {
                int bytes = rle4 ? val / 2 : val;
                int avail = Math.min(bytes, d.length - pos);
                for (int i = 0; i < avail; i++) {
                    int b = d[pos + i] & 0xFF;
                    if (rle4) {
                        if (n < total) out[(int) n] = (byte) (b >>> 4);
                        n++;
                        if (n < total) out[(int) n] = (byte) (b & 15);
                        n++;
                    } else {
                        if (n < total) out[(int) n] = (byte) b;
                        n++;
                    }
                }
                pos += avail;
                if (avail < bytes) break;
                x += val;
                if ((pos & 1) != 0) pos++;       // word alignment, measured from the start of the file
            }
        }
        if (n < total) throw new DecodeException("truncated or corrupt BMP data (RLE data ends early)");
        return out;
    }

    private static boolean eq(long[] m, long r, long g, long b, long a) {
        return m[0] == r && m[1] == g && m[2] == b && m[3] == a;
    }

    private static long u32(byte[] d, int p) {
        return (d[p] & 0xFFL) | (d[p + 1] & 0xFFL) << 8 | (d[p + 2] & 0xFFL) << 16 | (d[p + 3] & 0xFFL) << 24;
    }

    private static int u16(byte[] d, int p) {
        return (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8;
    }
}
