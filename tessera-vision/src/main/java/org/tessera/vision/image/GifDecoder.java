package org.tessera.vision.image;

import java.util.Arrays;

/**
 * GIF decoder for the first frame, matching Pillow 9.4's {@code GifImagePlugin} (whose first frame is a
 * palette image) followed by {@code convert('RGB')}:
 * <ul>
 *   <li>the canvas is the logical screen, enlarged if the first frame reaches beyond it;</li>
 *   <li>pixels outside the first frame are palette index 0 (not the declared background colour), or the
 *       transparent index when the frame has one;</li>
 *   <li>the frame's local palette wins over the global one; indices past the end of the palette show as
 *       grey {@code (i, i, i)} (Pillow palettes start as a grey ramp, and a GIF without any palette opens
 *       as greyscale);</li>
 *   <li>the transparent index keeps its palette colour in RGB; {@code AlphaMode.WHITE} turns it white.</li>
 * </ul>
 * ImageIO's GIF reader returns the frame alone (not the screen), so it cannot give these results.
 * The LZW data must end with its end code or a block terminator; a file cut short is an error, as in Pillow.
 */
final class GifDecoder {
    private GifDecoder() {}

    /** Where the first frame is, and everything needed to paint it. */
    private record Frame(int screenW, int screenH, int x0, int y0, int w, int h, boolean interlaced,
                         byte[] palette, int transparent, int dataPos) {}

    static ImageInfo probe(byte[] d) {
        Frame f = locate(d);
        return new ImageInfo(ImageFormat.GIF, f.screenW, f.screenH, 1, 1);
    }

    static Decoded decode(byte[] d, long maxPixels, boolean wantAlpha) {
        Frame f = locate(d);
        Limits.check(f.screenW, f.screenH, maxPixels, "");
        int sw = f.screenW, sh = f.screenH;
        byte[] idx = new byte[sw * sh];
        int fill = f.transparent >= 0 ? f.transparent : 0;
        if (fill != 0) Arrays.fill(idx, (byte) fill);
        lzw(d, f, idx, sw);
        byte[] pal = f.palette;
        byte[] rgb = new byte[sw * sh * 3];
        for (int i = 0, o = 0; i < idx.length; i++, o += 3) {
            int p = (idx[i] & 0xFF) * 3;
            rgb[o] = pal[p];
            rgb[o + 1] = pal[p + 1];
            rgb[o + 2] = pal[p + 2];
        }
        byte[] alpha = null;
        if (wantAlpha && f.transparent >= 0) {
            alpha = new byte[idx.length];
            byte t = (byte) f.transparent;
            for (int i = 0; i < idx.length; i++) alpha[i] = idx[i] == t ? 0 : (byte) 255;
        }
        return new Decoded(sw, sh, rgb, alpha);
    }

    private static Frame locate(byte[] d) {
        if (d.length < 13) throw new DecodeException("truncated GIF data (no complete header)");
        int sw = u16(d, 6), sh = u16(d, 8);
        int flags = d[10] & 0xFF;
        int pos = 13;
        byte[] global = null;
        if ((flags & 0x80) != 0) {
            int n = 3 << ((flags & 7) + 1);
            if (pos + n > d.length) throw new DecodeException("truncated GIF data (in the colour table)");
            global = Arrays.copyOfRange(d, pos, pos + n);
            pos += n;
        }
        int transparent = -1;
        while (true) {
            if (pos >= d.length) throw new DecodeException("truncated GIF data (no image in the file)");
            int b = d[pos++] & 0xFF;
            if (b == ';') throw new DecodeException("corrupt GIF data (no image in the file)");
            if (b == '!') {
                if (pos >= d.length) throw new DecodeException("truncated GIF data (in an extension)");
                int label = d[pos++] & 0xFF;
                int first = pos;
                pos = skipBlocks(d, pos);
                if (label == 0xF9 && (d[first] & 0xFF) >= 4) {
                    // Graphic control extension: flags, delay (2 bytes), transparent index.
                    transparent = (d[first + 1] & 1) != 0 ? d[first + 4] & 0xFF : -1;
                }
            } else if (b == ',') {
                if (pos + 9 > d.length) throw new DecodeException("truncated GIF data (in the image descriptor)");
                int x0 = u16(d, pos), y0 = u16(d, pos + 2), w = u16(d, pos + 4), h = u16(d, pos + 6);
                int f = d[pos + 8] & 0xFF;
                pos += 9;
                byte[] local = null;
                if ((f & 0x80) != 0) {
                    int n = 3 << ((f & 7) + 1);
                    if (pos + n > d.length) throw new DecodeException("truncated GIF data (in the colour table)");
                    local = Arrays.copyOfRange(d, pos, pos + n);
                    pos += n;
                }
                byte[] palette = new byte[768];
                for (int i = 0; i < 256; i++) palette[3 * i] = palette[3 * i + 1] = palette[3 * i + 2] = (byte) i;
                byte[] use = local != null ? local : global;
                if (use != null) System.arraycopy(use, 0, palette, 0, Math.min(use.length, 768));
                // Pillow grows the canvas to hold a frame that sticks out of the logical screen.
                int cw = Math.max(sw, x0 + w), ch = Math.max(sh, y0 + h);
                return new Frame(cw, ch, x0, y0, w, h, (f & 0x40) != 0, palette, transparent, pos);
            }
            // Pillow skips any other byte between blocks; so do we.
        }
    }

    /** Skips data sub-blocks (length byte, bytes) up to and including the zero terminator. */
    private static int skipBlocks(byte[] d, int pos) {
        while (true) {
            if (pos >= d.length) throw new DecodeException("truncated GIF data (in an extension)");
            int n = d[pos++] & 0xFF;
            if (n == 0) return pos;
            pos += n;
        }
    }

    /** Decodes the frame's LZW data into the canvas of indices. */
    private static void lzw(byte[] d, Frame f, byte[] out, int stride) {
        int pos = f.dataPos;
        if (pos >= d.length) throw new DecodeException("truncated GIF data (image data missing)");
        int minCode = d[pos++] & 0xFF;
        if (minCode < 1 || minCode > 11) throw new DecodeException("corrupt GIF data (LZW code size " + minCode + ")");
        int clear = 1 << minCode, eoi = clear + 1;
        short[] prefix = new short[4096];
        byte[] suffix = new byte[4096];
        byte[] first = new byte[4096];
        int[] length = new int[4096];
        for (int i = 0; i < clear; i++) {
            suffix[i] = (byte) i;
            first[i] = (byte) i;
            length[i] = 1;
        }
        byte[] stack = new byte[4097];
        int codeSize = minCode + 1, next = eoi + 1, prev = -1;
        long total = (long) f.w * f.h;
        long written = 0;
        int col = 0, row = 0, pass = 0;
        int[] start = {0, 4, 2, 1}, step = {8, 8, 4, 2};
        int bitBuf = 0, bits = 0;
        int blockLeft = 0;
        boolean ended = false;
        while (written < total && !ended) {
            while (bits < codeSize) {
                if (blockLeft == 0) {
                    if (pos >= d.length) throw new DecodeException("truncated GIF data (image data ends early)");
                    blockLeft = d[pos++] & 0xFF;
                    if (blockLeft == 0) { ended = true; break; }     // block terminator before the end code
                }
                if (pos >= d.length) throw new DecodeException("truncated GIF data (image data ends early)");
                bitBuf |= (d[pos++] & 0xFF) << bits;
                bits += 8;
                blockLeft--;
            }
            if (ended) break;
            int code = bitBuf & ((1 << codeSize) - 1);
            bitBuf >>>= codeSize;
            bits -= codeSize;
            if (code == clear) {
                codeSize = minCode + 1;
                next = eoi + 1;
                prev = -1;
                continue;
            }
            if (code == eoi) break;
            int sp;
            if (prev < 0) {
                if (code >= clear) throw new DecodeException("corrupt GIF data (bad LZW code)");
                stack[0] = (byte) code;
                sp = 1;
            } else {
                int c;
                byte firstChar;
                if (code < next) {
                    c = code;
                    firstChar = first[code];
                } else if (code == next) {
                    c = prev;                 // the KwKwK case: prev's string plus its own first byte
                    firstChar = first[prev];
                } else {
                    throw new DecodeException("corrupt GIF data (bad LZW code)");
                }
                int len = length[c];
                sp = len + (code == next ? 1 : 0);
                int k = len - 1;
                if (code == next) stack[len] = firstChar;
                for (int x = c; k >= 0; k--) {
                    stack[k] = suffix[x];
                    x = prefix[x];
                }
                if (next < 4096) {
                    prefix[next] = (short) prev;
                    suffix[next] = firstChar;
                    first[next] = first[prev];
                    length[next] = length[prev] + 1;
                    next++;
                    if (next == (1 << codeSize) && codeSize < 12) codeSize++;
                }
            }
            prev = code;
            for (int i = 0; i < sp && written < total; i++) {
                int y = f.y0 + row;
                out[y * stride + f.x0 + col] = stack[i];
                written++;
                if (++col == f.w) {
                    col = 0;
                    if (f.interlaced) {
                        row += step[pass];
                        while (row >= f.h && pass < 3) {
                            pass++;
                            row = start[pass];
                        }
                    } else {
                        row++;
                    }
                }
            }
        }
    }

    private static int u16(byte[] d, int p) {
        return (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8;
    }
}
