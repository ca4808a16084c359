package org.tessera.vision.image;

import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * PNG decoder that produces exactly what Pillow 9.4's {@code Image.open(f).convert('RGB')} gives.
 * Written here rather than taken from ImageIO because Pillow's results differ from a "correct" PNG
 * conversion in ways the reference pipeline depends on:
 * <ul>
 *   <li>16-bit grey opens as mode I and {@code convert('RGB')} clips at 255 instead of scaling, so a
 *       typical 16-bit grey image comes out nearly white;</li>
 *   <li>16-bit RGB, RGBA and grey+alpha keep only the high byte of each sample;</li>
 *   <li>1/2/4-bit grey is scaled to 0..255 (x255, x85, x17);</li>
 *   <li>palette indices beyond the PLTE entries (and palette images without PLTE) show as grey
 *       {@code (i, i, i)}, because Pillow's palettes start as a grey ramp;</li>
 *   <li>gAMA, cHRM, sRGB and iCCP are ignored (no colour management);</li>
 *   <li>a tRNS colour key makes a pixel transparent when the 8-bit value Pillow shows equals the key's
 *       <em>low byte</em> (a quirk of its {@code convert('RGBA')}; we follow it for {@code AlphaMode.WHITE}).</li>
 * </ul>
 * Rows are inflated and unfiltered one at a time straight into the output, so memory stays at the
 * RGB result plus two rows. Chunk CRCs are verified up to the first IDAT, as Pillow does; data that
 * ends before the last row is an error (Pillow raises "image file is truncated").
 */
final class PngDecoder {
    private PngDecoder() {}

    private static final int[][] ADAM7 = {
            {0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};

    private static final int IHDR = 0x49484452, PLTE = 0x504C5445, IDAT = 0x49444154, IEND = 0x49454E44,
            TRNS = 0x74524E53, EXIF = 0x65584966;

    /** Header fields, validated. */
    record Header(int width, int height, int bitDepth, int colorType, boolean interlaced) {
        int channels() {
            return switch (colorType) {
                case 0, 3 -> 1;
                case 2 -> 3;
                case 4 -> 2;
                default -> 4;
            };
        }
    }

    static ImageInfo probe(byte[] d) {
        Header h = header(d);
        int orientation = 1;
        // Walk the chunks for eXIf without inflating anything.
        int pos = 8;
        while (pos + 8 <= d.length) {
            long len = u32(d, pos);
            int type = (int) u32(d, pos + 4);
            if (len > d.length - pos - 12L) break;
            if (type == EXIF) orientation = Exif.orientation(d, pos + 8, (int) len);
            if (type == IEND) break;
            pos += 12 + (int) len;
        }
        return new ImageInfo(ImageFormat.PNG, h.width, h.height, orientation, 1);
    }

    private static Header header(byte[] d) {
        if (d.length < 33) throw new DecodeException("truncated PNG data (no complete header)");
        if (u32(d, 12) != IHDR || u32(d, 8) != 13) throw new DecodeException("corrupt PNG data (IHDR chunk missing)");
        // Check the header's CRC before believing its size: a damaged IHDR would otherwise be reported as
        // an absurd size rather than as damage (Pillow says "broken PNG file" here).
        CRC32 crc = new CRC32();
        crc.update(d, 12, 17);
        if (crc.getValue() != u32(d, 29)) throw new DecodeException("corrupt PNG data (bad checksum in IHDR chunk)");
        long w = u32(d, 16), h = u32(d, 20);
        int depth = d[24] & 0xFF, ct = d[25] & 0xFF;
        boolean ok = switch (ct) {
            case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
            case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
            case 2, 4, 6 -> depth == 8 || depth == 16;
            default -> false;
        };
        if (!ok) throw new DecodeException("unsupported PNG (bit depth " + depth + " with colour type " + ct + ")");
        if (d[26] != 0 || d[27] != 0) throw new DecodeException("corrupt PNG data (unknown compression or filter method)");
        int il = d[28] & 0xFF;
        if (il > 1) throw new DecodeException("corrupt PNG data (unknown interlace method " + il + ")");
        if (w == 0 || h == 0 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
            throw new DecodeException("corrupt PNG data (invalid size " + w + "x" + h + ")");
        }
        return new Header((int) w, (int) h, depth, ct, il == 1);
    }

    static Decoded decode(byte[] d, long maxPixels, boolean wantAlpha) {
        Header h = header(d);
        // Refuse before anything is allocated: a tiny file can claim a gigantic size.
        Limits.check(h.width, h.height, maxPixels, "");
        byte[] palette = null;       // 256 RGB entries, grey ramp where PLTE says nothing
        byte[] palAlpha = null;      // 256 alpha entries for palette images with tRNS
        int[] key = null;            // tRNS colour key (grey: 1 value, RGB: 3)
        int orientation = 1;
        CRC32 crc = new CRC32();
        RowDecoder rows = null;
        Inflater inflater = new Inflater();
        try {
            int pos = 8;
            boolean seenIdat = false;
            while (true) {
                if (pos + 8 > d.length) break;
                long len = u32(d, pos);
                int type = (int) u32(d, pos + 4);
                if (len > Integer.MAX_VALUE) throw new DecodeException("corrupt PNG data (invalid chunk length)");
                int body = pos + 8;
                if (body + len + 4 > d.length) {
                    // A chunk cut off by the end of the file. Pillow stops at a cut IDAT with "truncated";
                    // the rows it holds are still fed so the message can say the image data is incomplete.
                    if (type == IDAT && rows != null) {
                        rows.feed(inflater, d, body, (int) Math.max(0, Math.min(len, d.length - body)));
                    }
                    break;
                }
                if (!seenIdat && type != IDAT) {
                    crc.reset();
                    crc.update(d, pos + 4, (int) len + 4);
                    if (crc.getValue() != u32(d, body + (int) len)) {
                        throw new DecodeException("corrupt PNG data (bad checksum in " + chunkName(type) + " chunk)");
                    }
                }
                switch (type) {
                    case PLTE -> {
                        if (h.colorType == 3) palette = palette(d, body, (int) len);
                    }
                    case TRNS -> {
                        if (h.colorType == 3) {
                            palAlpha = new byte[256];
                            java.util.Arrays.fill(palAlpha, (byte) 255);
                            System.arraycopy(d, body, palAlpha, 0, (int) Math.min(len, 256));
                        } else if (h.colorType == 0 && len >= 2) {
                            key = new int[] {u16(d, body)};
                        } else if (h.colorType == 2 && len >= 6) {
                            key = new int[] {u16(d, body), u16(d, body + 2), u16(d, body + 4)};
                        }
                    }
                    case EXIF -> orientation = Exif.orientation(d, body, (int) len);
                    case IDAT -> {
                        if (rows == null) {
                            if (palette == null && h.colorType == 3) palette = palette(d, body, 0);
                            rows = new RowDecoder(h, palette, wantAlpha ? palAlpha : null, wantAlpha ? key : null,
                                    wantAlpha);
                        }
                        seenIdat = true;
                        rows.feed(inflater, d, body, (int) len);
                    }
                    default -> { }
                }
                pos = body + (int) len + 4;
                if (type == IEND) break;
            }
            if (rows == null) {
                throw new DecodeException(pos >= d.length ? "truncated PNG data (no image data)" : "corrupt PNG data (no image data)");
            }
            if (!rows.done()) {
                throw new DecodeException("truncated or corrupt PNG data (image data ends at row " + rows.rowsDone()
                        + " of " + h.height + ")");
            }
            Decoded out = new Decoded(h.width, h.height, rows.rgb, rows.alpha);
            out.orientation = orientation;
            return out;
        } finally {
            inflater.end();
        }
    }

    private static byte[] palette(byte[] d, int off, int len) {
        byte[] p = new byte[768];
        for (int i = 0; i < 256; i++) {
            p[3 * i] = p[3 * i + 1] = p[3 * i + 2] = (byte) i;
        }
        System.arraycopy(d, off, p, 0, Math.min(len / 3 * 3, 768));
        return p;
    }

    /** Inflates, unfilters and converts scanlines as IDAT data arrives. */
    private static final class RowDecoder {
        final Header h;
        final byte[] rgb;
        final byte[] alpha;
        final byte[] palette;
        final byte[] palAlpha;
        final int[] key;
        final int bitsPerPixel;
        final int bpp;                  // filter unit: bytes per complete pixel, at least 1
        byte[] cur;
        byte[] prev;
        int pass;                       // Adam7 pass (0..6), or 0 when not interlaced
        int passW;
        int passH;
        int row;                        // row within the pass
        int rowBytes;                   // bytes of one row in this pass, without the filter byte
        int filled;                     // bytes of cur filled so far (including the filter byte)
        boolean done;
        long rowsDone;

        RowDecoder(Header h, byte[] palette, byte[] palAlpha, int[] key, boolean wantAlpha) {
            this.h = h;
            this.rgb = new byte[Math.multiplyExact(Math.multiplyExact(h.width, h.height), 3)];
            boolean hasAlpha = h.colorType == 4 || h.colorType == 6 || palAlpha != null || key != null;
            this.alpha = wantAlpha && hasAlpha ? new byte[h.width * h.height] : null;
            this.palette = palette;
            this.palAlpha = palAlpha;
            this.key = key;
            this.bitsPerPixel = h.bitDepth * h.channels();
            this.bpp = Math.max(1, bitsPerPixel / 8);
            int maxRow = (int) (((long) h.width * bitsPerPixel + 7) / 8);
            cur = new byte[maxRow + 1];
            prev = new byte[maxRow + 1];
            pass = h.interlaced ? -1 : 0;
            if (h.interlaced) nextPass();
            else startPass(h.width, h.height);
        }

        boolean done() {
            return done;
        }

        long rowsDone() {
            return rowsDone;
        }

        private void startPass(int w, int hh) {
            passW = w;
            passH = hh;
            row = 0;
            rowBytes = (int) (((long) w * bitsPerPixel + 7) / 8);
            java.util.Arrays.fill(prev, 0, rowBytes + 1, (byte) 0);
            filled = 0;
        }

        private void nextPass() {
            while (++pass < 7) {
                int[] p = ADAM7[pass];
                int w = (h.width - p[0] + p[2] - 1) / p[2];
                int hh = (h.height - p[1] + p[3] - 1) / p[3];
                if (w > 0 && hh > 0) {          // empty passes have no bytes at all, not even filter bytes
                    startPass(w, hh);
                    return;
                }
            }
            done = true;
        }

        void feed(Inflater inf, byte[] d, int off, int len) {
            if (done || len <= 0) return;
            inf.setInput(d, off, len);
            try {
                while (!done) {
                    int n = inf.inflate(cur, filled, rowBytes + 1 - filled);
                    if (n == 0) {
                        if (inf.needsInput()) return;
                        if (inf.finished()) return;         // stream over before the image: caller reports it
                        if (inf.needsDictionary()) throw new DecodeException("corrupt PNG data (zlib stream needs a dictionary)");
                        return;
                    }
                    filled += n;
                    if (filled == rowBytes + 1) {
                        finishRow();
                    }
                }
            } catch (DataFormatException e) {
                throw new DecodeException("corrupt PNG data (bad compressed data)", e);
            }
        }

        private void finishRow() {
            unfilter(cur, prev, rowBytes, bpp);
            emit();
            byte[] t = prev;
            prev = cur;
            cur = t;
            filled = 0;
            rowsDone++;
            if (++row == passH) {
                if (h.interlaced) nextPass();
                else done = true;
            }
        }

        private static void unfilter(byte[] c, byte[] p, int n, int bpp) {
            int type = c[0];
            switch (type) {
                case 0 -> { }
                case 1 -> {
                    for (int i = 1 + bpp; i <= n; i++) c[i] += c[i - bpp];
                }
                case 2 -> {
                    for (int i = 1; i <= n; i++) c[i] += p[i];
                }
                case 3 -> {
                    for (int i = 1; i <= bpp && i <= n; i++) c[i] += (byte) ((p[i] & 0xFF) >>> 1);
                    for (int i = 1 + bpp; i <= n; i++) c[i] += (byte) (((c[i - bpp] & 0xFF) + (p[i] & 0xFF)) >>> 1);
                }
                case 4 -> {
                    for (int i = 1; i <= bpp && i <= n; i++) c[i] += p[i];     // left and up-left are 0: Paeth picks up
                    for (int i = 1 + bpp; i <= n; i++) {
                        int a = c[i - bpp] & 0xFF, b = p[i] & 0xFF, cc = p[i - bpp] & 0xFF;
                        int pa = Math.abs(b - cc), pb = Math.abs(a - cc), pc = Math.abs(a + b - 2 * cc);
                        c[i] += (byte) (pa <= pb && pa <= pc ? a : pb <= pc ? b : cc);
                    }
                }
                default -> throw new DecodeException("corrupt PNG data (invalid row filter type " + (type & 0xFF) + ")");
            }
        }

        /** Converts the unfiltered row in cur[1..] into output pixels, the way Pillow's unpackers do. */
        private void emit() {
            int x0, dx, y;
            if (h.interlaced) {
                int[] p = ADAM7[pass];
                x0 = p[0];
                dx = p[2];
                y = p[1] + row * p[3];
            } else {
                x0 = 0;
                dx = 1;
                y = row;
            }
            byte[] c = cur;
            int w = passW;
            int width = h.width;
            int o = (y * width + x0) * 3;     // output index of the pass row's first pixel
            int step = dx * 3;
            int ai = y * width + x0;           // alpha index
            int depth = h.bitDepth;
            switch (h.colorType) {
                case 2 -> {
                    if (depth == 8) {
                        if (dx == 1) System.arraycopy(c, 1, rgb, o, w * 3);
                        else for (int i = 0, s = 1; i < w; i++, s += 3, o += step) {
                            rgb[o] = c[s];
                            rgb[o + 1] = c[s + 1];
                            rgb[o + 2] = c[s + 2];
                        }
                        if (alpha != null) {
                            for (int i = 0, s = 1; i < w; i++, s += 3, ai += dx) {
                                alpha[ai] = matchesKey3(c[s], c[s + 1], c[s + 2]);
                            }
                        }
                    } else {
                        for (int i = 0, s = 1; i < w; i++, s += 6, o += step) {
                            rgb[o] = c[s];              // Pillow's RGB;16B unpacker keeps the high byte
                            rgb[o + 1] = c[s + 2];
                            rgb[o + 2] = c[s + 4];
                        }
                        if (alpha != null) {
                            for (int i = 0, s = 1; i < w; i++, s += 6, ai += dx) {
                                alpha[ai] = matchesKey3(c[s], c[s + 2], c[s + 4]);
                            }
                        }
                    }
                }
                case 6 -> {
                    int sz = depth == 8 ? 4 : 8;
                    int ch = depth == 8 ? 1 : 2;       // stride between channels' high bytes
                    for (int i = 0, s = 1; i < w; i++, s += sz, o += step) {
                        rgb[o] = c[s];
                        rgb[o + 1] = c[s + ch];
                        rgb[o + 2] = c[s + 2 * ch];
                    }
                    if (alpha != null) {
                        for (int i = 0, s = 1 + 3 * ch; i < w; i++, s += sz, ai += dx) alpha[ai] = c[s];
                    }
                }
                case 4 -> {
                    int sz = depth == 8 ? 2 : 4;
                    int ch = depth == 8 ? 1 : 2;
                    for (int i = 0, s = 1; i < w; i++, s += sz, o += step) {
                        byte g = c[s];
                        rgb[o] = g;
                        rgb[o + 1] = g;
                        rgb[o + 2] = g;
                    }
                    if (alpha != null) {
                        for (int i = 0, s = 1 + ch; i < w; i++, s += sz, ai += dx) alpha[ai] = c[s];
                    }
                }
                case 0 -> {
                    for (int i = 0; i < w; i++, o += step, ai += dx) {
                        int v;
                        if (depth == 16) {
                            // Mode I: convert('RGB') clips to 0..255 rather than scaling 65535 down.
                            v = Math.min(((c[1 + 2 * i] & 0xFF) << 8) | (c[2 + 2 * i] & 0xFF), 255);
                        } else if (depth == 8) {
                            v = c[1 + i] & 0xFF;
                        } else {
                            int raw = subSample(c, i, depth);
                            v = raw * (255 / ((1 << depth) - 1));   // 1-bit x255, 2-bit x85, 4-bit x17
                        }
                        byte b = (byte) v;
                        rgb[o] = b;
                        rgb[o + 1] = b;
                        rgb[o + 2] = b;
                        if (alpha != null) alpha[ai] = key != null && v == (key[0] & 0xFF) ? 0 : (byte) 255;
                    }
                }
                case 3 -> {
                    byte[] pal = palette;
                    for (int i = 0; i < w; i++, o += step, ai += dx) {
                        int idx = depth == 8 ? c[1 + i] & 0xFF : subSample(c, i, depth);
                        rgb[o] = pal[3 * idx];
                        rgb[o + 1] = pal[3 * idx + 1];
                        rgb[o + 2] = pal[3 * idx + 2];
                        if (alpha != null) alpha[ai] = palAlpha != null ? palAlpha[idx] : (byte) 255;
                    }
                }
                default -> throw new IllegalStateException();
            }
        }

        private byte matchesKey3(byte r, byte g, byte b) {
            if (key == null) return (byte) 255;
            return (r & 0xFF) == (key[0] & 0xFF) && (g & 0xFF) == (key[1] & 0xFF) && (b & 0xFF) == (key[2] & 0xFF)
                    ? 0 : (byte) 255;
        }

        private static int subSample(byte[] c, int i, int depth) {
            int bit = i * depth;
            return ((c[1 + (bit >>> 3)] & 0xFF) >>> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
        }
    }

    private static String chunkName(int type) {
        char[] s = new char[4];
        for (int i = 0; i < 4; i++) {
            int ch = (type >>> (24 - 8 * i)) & 0xFF;
            s[i] = ch >= 32 && ch < 127 ? (char) ch : '?';
        }
        return new String(s);
    }

    static long u32(byte[] d, int p) {
        return (d[p] & 0xFFL) << 24 | (d[p + 1] & 0xFFL) << 16 | (d[p + 2] & 0xFFL) << 8 | (d[p + 3] & 0xFFL);
    }

    static int u16(byte[] d, int p) {
        return (d[p] & 0xFF) << 8 | (d[p + 1] & 0xFF);
    }
}
