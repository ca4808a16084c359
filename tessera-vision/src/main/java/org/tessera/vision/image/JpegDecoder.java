package org.tessera.vision.image;

import org.tessera.core.Parallel;

/**
 * JPEG decoder (baseline, extended sequential and progressive Huffman; 8-bit; 1, 3 or 4 components) that
 * reproduces what Pillow 9.4 gets from libjpeg-turbo 2.1, bit for bit:
 * <ul>
 *   <li>the accurate integer IDCT ({@code JDCT_ISLOW}: the Loeffler-Ligtenberg-Moschytz algorithm with 13-bit
 *       constants and 2 extra bits after the first pass);</li>
 *   <li>"fancy" chroma upsampling: triangle filters for 2:1 horizontal, 2:1 vertical (libjpeg-turbo's h1v2)
 *       and 2:1 both ways, with libjpeg's alternating rounding biases, edges replicated; plain replication for
 *       other integer ratios and for components at most two samples wide;</li>
 *   <li>YCbCr to RGB with libjpeg's 16-bit fixed-point tables;</li>
 *   <li>libjpeg's colour-space guess: JFIF marker, then Adobe transform flag, then component ids
 *       ('R','G','B' means RGB);</li>
 *   <li>4-component files: Pillow always reads them as Adobe-style inverted CMYK ("CMYK;I"), YCCK is first
 *       turned into CMYK as libjpeg does, and CMYK becomes RGB with Pillow's formula
 *       {@code R = 255 - K' - C'(255 - K')/255} (rounded as its MULDIV255), not through an ICC profile.</li>
 * </ul>
 * Why not ImageIO: the JDK's decoder (used by TwelveMonkeys too) is also exact for YCbCr, but it decodes
 * progressive files by re-rendering the whole image after every scan (about 8x slower than here), guesses
 * colour spaces differently from libjpeg in corner cases, has no h1v2 fancy upsampling, and applies ICC
 * profiles to CMYK, which Pillow does not.
 *
 * <p>Entropy decoding is sequential. For the usual file (one sequential scan holding all components) the
 * IDCT and upsampling/colour conversion of finished MCU rows run on other {@link Parallel} threads while
 * the entropy decoder goes on; otherwise they run afterwards, in parallel strips. Data that runs out before the last MCU (a truncated file, or a marker in the middle
 * of a scan) is an error here, where libjpeg would pad with grey and warn.
 */
final class JpegDecoder {
    private JpegDecoder() {}

    /** Zigzag position -> natural (row-major) position, padded so corrupt run lengths land on 63 as in libjpeg. */
    private static final int[] NATURAL = new int[64 + 16];

    static {
        int[] zz = {
                0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
                35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};
        System.arraycopy(zz, 0, NATURAL, 0, 64);
        for (int i = 64; i < NATURAL.length; i++) NATURAL[i] = 63;
    }

    // ------------------------------------------------------------------------------------------
    // Header parsing

    private static final class Component {
        int id, h, v, tq;
        int bw, bh;                 // blocks per row / column, padded to whole MCUs
        int dw, dh;                 // libjpeg's downsampled_width / downsampled_height (real samples)
        short[] coef;               // bw * bh blocks of 64 coefficients, natural order
        byte[] hasAc;               // per block: 1 once any AC coefficient is non-zero (else the IDCT is a fill)
        byte[] plane;               // bw*8 x bh*8 samples after the IDCT
        int dcPred;
        int dcTable, acTable;
        int[] q;                    // quantisation table, latched at the component's first scan as libjpeg does
    }

    private static final class Frame {
        int width, height, precision;
        boolean progressive;
        int sofMarker;
        Component[] comps;
        int hmax, vmax, mcusX, mcusY;
        boolean jfif, adobe;
        int adobeTransform = -1;
        int orientation = 1;
        int restartInterval;
        final int[][] qt = new int[4][];         // natural order
        final Huffman[] dc = new Huffman[4], ac = new Huffman[4];
    }

    static ImageInfo probe(byte[] d) {
        Frame f = new Frame();
        int pos = 2;
        while (true) {
            int[] m = nextMarker(d, pos);
            int marker = m[0];
            pos = m[1];
            if (marker == 0xD9 || marker == 0xDA) throw new DecodeException("corrupt JPEG data (no frame header before the image data)");
            if (isStandalone(marker)) continue;
            int len = segmentLength(d, pos);
            if (isSof(marker)) {
                readSof(d, pos + 2, len - 2, marker, f);
                // Keep reading markers up to the scan for EXIF written after the frame header (rare but legal).
                int p = pos + len;
                while (true) {
                    int[] mm;
                    try {
                        mm = nextMarker(d, p);
                    } catch (DecodeException e) {
                        break;
                    }
                    if (mm[0] == 0xDA || mm[0] == 0xD9) break;
                    if (isStandalone(mm[0])) {
                        p = mm[1];
                        continue;
                    }
                    if (mm[1] + 4 > d.length) break;
                    int l = segmentLength(d, mm[1]);
                    if (mm[0] == 0xE1) readApp1(d, mm[1] + 2, l - 2, f);
                    p = mm[1] + l;
                }
                return new ImageInfo(ImageFormat.JPEG, f.width, f.height, f.orientation, 1);
            }
            if (marker == 0xE1) readApp1(d, pos + 2, len - 2, f);
            pos += len;
        }
    }

    static Decoded decode(byte[] d, long maxPixels) {
        Frame f = new Frame();
        int pos = 2;
        boolean sawScan = false;
        boolean complete = false;
        Decoded result = null;       // set when the pipelined path has already reconstructed the image
        while (true) {
            int[] m;
            try {
                m = nextMarker(d, pos);
            } catch (DecodeException e) {
                // The data ran out between segments. A sequential image whose scans are all decoded
                // has everything; Pillow accepts a missing EOI there too. Otherwise it is truncated.
                if (sawScan && complete) break;
                throw e;
            }
            int marker = m[0];
            pos = m[1];
            if (marker == 0xD9) {
                if (!sawScan) throw new DecodeException("corrupt JPEG data (no image data)");
                // A progressive file is whole at its EOI; a sequential one needs a scan for every component.
                if (!f.progressive && !complete) {
                    throw new DecodeException("corrupt JPEG data (a colour component has no image data)");
                }
                break;
            }
            if (isStandalone(marker)) continue;      // RSTn outside a scan, TEM: nothing to do
            if (pos + 4 > d.length) {
                if (sawScan && complete) break;
                throw new DecodeException("truncated JPEG data (file ends inside a " + markerName(marker) + " segment)");
            }
            int len = segmentLength(d, pos);
            if (pos + len > d.length) {
                throw new DecodeException("truncated JPEG data (file ends inside a " + markerName(marker) + " segment)");
            }
            int body = pos + 2, blen = len - 2;
            switch (marker) {
                case 0xC4 -> readDht(d, body, blen, f);
                case 0xDB -> readDqt(d, body, blen, f);
                case 0xDD -> {
                    if (blen < 2) throw new DecodeException("corrupt JPEG data (bad DRI segment)");
                    f.restartInterval = ((d[body] & 0xFF) << 8) | (d[body + 1] & 0xFF);
                }
                case 0xE0 -> {
                    // libjpeg counts a JFIF marker only with its full 14-byte body.
                    if (blen >= 14 && d[body] == 'J' && d[body + 1] == 'F' && d[body + 2] == 'I' && d[body + 3] == 'F' && d[body + 4] == 0) {
                        f.jfif = true;
                    }
                }
                case 0xEE -> {
                    if (blen >= 12 && d[body] == 'A' && d[body + 1] == 'd' && d[body + 2] == 'o' && d[body + 3] == 'b' && d[body + 4] == 'e') {
                        f.adobe = true;
                        f.adobeTransform = d[body + 11] & 0xFF;
                    }
                }
                case 0xE1 -> readApp1(d, body, blen, f);
                case 0xDA -> {
                    if (f.comps == null) throw new DecodeException("corrupt JPEG data (scan before frame header)");
                    if (result != null) throw new DecodeException("corrupt JPEG data (image data after the last scan)");
                    if (!sawScan) allocate(f, maxPixels);
                    if (!sawScan && !f.progressive && blen >= 1 && (d[body] & 0xFF) == f.comps.length && f.comps.length > 1) {
                        // The usual case, one interleaved scan with everything: reconstruct while decoding.
                        sawScan = true;
                        ColorSpace cs = prepareRender(f);
                        byte[] rgb = new byte[f.width * f.height * 3];
                        pos = decodePipelined(d, body, blen, f, rgb, cs);
                        result = new Decoded(f.width, f.height, rgb, null);
                        complete = true;
                        continue;
                    }
                    sawScan = true;
                    pos = decodeScan(d, body, blen, f, null);
                    complete = !f.progressive && allScansCoverAll(f);
                    continue;
                }
                default -> {
                    if (isSof(marker)) {
                        if (f.comps != null) throw new DecodeException("corrupt JPEG data (two frame headers)");
                        readSof(d, body, blen, marker, f);
                        Limits.check(f.width, f.height, maxPixels, "");
                    }
                }
            }
            pos += len;
        }
        if (result != null) {
            result.orientation = f.orientation;
            return result;
        }
        return render(f);
    }

    /** Sequential files are complete when every component has had its scan. */
    private static boolean allScansCoverAll(Frame f) {
        for (Component c : f.comps) if (c.dcTable < 0) return false;
        return true;
    }

    private static boolean isSof(int m) {
        return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    }

    private static boolean isStandalone(int m) {
        return (m >= 0xD0 && m <= 0xD7) || m == 0x01;
    }

    /** Finds the next marker at or after pos: returns {marker code, position after the code}. */
    private static int[] nextMarker(byte[] d, int pos) {
        while (true) {
            // Skip anything that is not 0xFF (libjpeg warns about "extraneous bytes" and carries on), then fill bytes.
            while (pos < d.length && (d[pos] & 0xFF) != 0xFF) pos++;
            while (pos < d.length && (d[pos] & 0xFF) == 0xFF) pos++;
            if (pos >= d.length) throw new DecodeException("truncated JPEG data (file ends before the image is complete)");
            int m = d[pos] & 0xFF;
            if (m != 0) return new int[] {m, pos + 1};
            pos++;          // a stuffed 0xFF00 outside a scan is garbage too: keep looking
        }
    }

    private static int segmentLength(byte[] d, int pos) {
        if (pos + 2 > d.length) throw new DecodeException("truncated JPEG data (file ends inside a segment header)");
        int len = ((d[pos] & 0xFF) << 8) | (d[pos + 1] & 0xFF);
        if (len < 2) throw new DecodeException("corrupt JPEG data (bad segment length)");
        return len;
    }

    private static void readApp1(byte[] d, int body, int blen, Frame f) {
        // Pillow takes the first Exif block.
        if (f.orientation == 1 && blen >= 6 && body + blen <= d.length && d[body] == 'E' && d[body + 1] == 'x'
                && d[body + 2] == 'i' && d[body + 3] == 'f' && d[body + 4] == 0 && d[body + 5] == 0) {
            f.orientation = Exif.orientation(d, body, blen);
        }
    }

    private static void readSof(byte[] d, int p, int len, int marker, Frame f) {
        switch (marker) {
            case 0xC0, 0xC1 -> f.progressive = false;
            case 0xC2 -> f.progressive = true;
            case 0xC3, 0xC7, 0xCB, 0xCF -> throw new DecodeException("unsupported JPEG variant (lossless JPEG)");
            case 0xC9, 0xCA -> throw new DecodeException("unsupported JPEG variant (arithmetic coding)");
            default -> throw new DecodeException("unsupported JPEG variant (hierarchical or arithmetic coding, SOF"
                    + Integer.toHexString(marker - 0xC0) + ")");
        }
        if (len < 6 || p + len > d.length) throw new DecodeException("truncated JPEG data (in the frame header)");
        f.sofMarker = marker;
        f.precision = d[p] & 0xFF;
        f.height = ((d[p + 1] & 0xFF) << 8) | (d[p + 2] & 0xFF);
        f.width = ((d[p + 3] & 0xFF) << 8) | (d[p + 4] & 0xFF);
        int n = d[p + 5] & 0xFF;
        if (f.precision != 8) throw new DecodeException("unsupported JPEG variant (" + f.precision + "-bit samples)");
        if (f.height == 0) throw new DecodeException("unsupported JPEG variant (height given in a DNL marker)");
        if (f.width == 0) throw new DecodeException("corrupt JPEG data (width 0)");
        if (n != 1 && n != 3 && n != 4) throw new DecodeException("unsupported JPEG (" + n + " colour components)");
        if (len < 6 + 3 * n) throw new DecodeException("corrupt JPEG data (short frame header)");
        f.comps = new Component[n];
        for (int i = 0; i < n; i++) {
            Component c = new Component();
            c.id = d[p + 6 + 3 * i] & 0xFF;
            c.h = (d[p + 7 + 3 * i] & 0xFF) >> 4;
            c.v = d[p + 7 + 3 * i] & 15;
            c.tq = d[p + 8 + 3 * i] & 0xFF;
            if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4) throw new DecodeException("corrupt JPEG data (bad sampling factors)");
            if (c.tq > 3) throw new DecodeException("corrupt JPEG data (bad quantisation table number)");
            c.dcTable = -1;
            f.comps[i] = c;
        }
        int hmax = 1, vmax = 1;
        for (Component c : f.comps) {
            hmax = Math.max(hmax, c.h);
            vmax = Math.max(vmax, c.v);
        }
        f.hmax = hmax;
        f.vmax = vmax;
        f.mcusX = (f.width + 8 * hmax - 1) / (8 * hmax);
        f.mcusY = (f.height + 8 * vmax - 1) / (8 * vmax);
        for (Component c : f.comps) {
            c.bw = f.mcusX * c.h;
            c.bh = f.mcusY * c.v;
            c.dw = (int) (((long) f.width * c.h + hmax - 1) / hmax);
            c.dh = (int) (((long) f.height * c.v + vmax - 1) / vmax);
        }
    }

    private static void allocate(Frame f, long maxPixels) {
        Limits.check(f.width, f.height, maxPixels, "");
        for (Component c : f.comps) {
            long n = (long) c.bw * c.bh * 64;
            if (n > Limits.MAX_ARRAY) throw new DecodeException("image too large to decode (" + f.width + "x" + f.height + ")");
            c.coef = new short[(int) n];
            c.hasAc = new byte[c.bw * c.bh];
        }
    }

    private static void readDqt(byte[] d, int p, int len, Frame f) {
        int end = p + len;
        while (p < end) {
            int pq = (d[p] & 0xFF) >> 4, tq = d[p] & 15;
            p++;
            if (tq > 3 || pq > 1) throw new DecodeException("corrupt JPEG data (bad quantisation table)");
            int size = pq == 0 ? 64 : 128;
            if (p + size > end) throw new DecodeException("corrupt JPEG data (short quantisation table)");
            int[] q = new int[64];
            for (int i = 0; i < 64; i++) {
                q[NATURAL[i]] = pq == 0 ? d[p + i] & 0xFF : ((d[p + 2 * i] & 0xFF) << 8) | (d[p + 2 * i + 1] & 0xFF);
            }
            f.qt[tq] = q;
            p += size;
        }
    }

    private static void readDht(byte[] d, int p, int len, Frame f) {
        int end = p + len;
        while (p < end) {
            if (p + 17 > end) throw new DecodeException("corrupt JPEG data (short Huffman table)");
            int tc = (d[p] & 0xFF) >> 4, th = d[p] & 15;
            if (tc > 1 || th > 3) throw new DecodeException("corrupt JPEG data (bad Huffman table)");
            int[] counts = new int[17];
            int total = 0;
            for (int i = 1; i <= 16; i++) {
                counts[i] = d[p + i] & 0xFF;
                total += counts[i];
            }
            p += 17;
            if (total > 256 || p + total > end) throw new DecodeException("corrupt JPEG data (bad Huffman table)");
            byte[] vals = new byte[total];
            System.arraycopy(d, p, vals, 0, total);
            p += total;
            Huffman h = new Huffman(counts, vals);
            if (tc == 0) f.dc[th] = h;
            else f.ac[th] = h;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Entropy decoding

    /** A Huffman table with a 9-bit lookup for short codes and libjpeg-style maxcode/valptr for long ones. */
    private static final class Huffman {
        static final int LOOKUP_BITS = 9;
        final int[] lookup = new int[1 << LOOKUP_BITS];    // (length << 8) | symbol, 0 = longer code
        /**
         * For AC tables: when a code and its value bits fit in the 9 looked-at bits together, the whole
         * coefficient at once: (value << 16) | (run << 8) | bits used; 0 when they do not fit.
         */
        final int[] fastAc = new int[1 << LOOKUP_BITS];
        final int[] maxcode = new int[18];
        final int[] valoffset = new int[17];
        final byte[] vals;

        Huffman(int[] counts, byte[] vals) {
            this.vals = vals;
            int code = 0, k = 0;
            for (int len = 1; len <= 16; len++) {
                valoffset[len] = k - code;
                for (int i = 0; i < counts[len]; i++, k++, code++) {
                    if (len <= LOOKUP_BITS) {
                        int shift = LOOKUP_BITS - len;
                        int base = code << shift;
                        for (int j = 0; j < (1 << shift); j++) {
                            lookup[base + j] = (len << 8) | (vals[k] & 0xFF);
                        }
                    }
                }
                // A code that overflows its length means a broken table (libjpeg: "bogus Huffman table").
                if (code > (1 << len)) throw new DecodeException("corrupt JPEG data (bad Huffman table)");
                maxcode[len] = counts[len] == 0 ? -1 : code - 1;
                code <<= 1;
            }
            maxcode[17] = Integer.MAX_VALUE;
            for (int i = 0; i < lookup.length; i++) {
                int e = lookup[i];
                if (e == 0) continue;
                int len = e >>> 8, sym = e & 0xFF, run = sym >> 4, size = sym & 15;
                if (size == 0 || len + size > LOOKUP_BITS) continue;
                int v = (i >>> (LOOKUP_BITS - len - size)) & ((1 << size) - 1);
                fastAc[i] = (extend(v, size) << 16) | (run << 8) | (len + size);
            }
        }
    }

    /** Bit reader over entropy-coded data: un-stuffs 0xFF00, stops at markers and then supplies zero bits. */
    private static final java.lang.invoke.VarHandle LONG_BE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    private static final class Bits {
        final byte[] d;
        int pos;
        long acc;
        int n;              // valid bits in acc (low n bits)
        int fake;           // how many of those are zeros made up after the data stopped
        boolean stopped;
        boolean eof;

        Bits(byte[] d, int pos) {
            this.d = d;
            this.pos = pos;
        }

        void fill() {
            while (n <= 56) {
                // Fast path: eight bytes without a 0xFF among them need no unstuffing; take what fits.
                if (!stopped && pos + 8 <= d.length) {
                    long x = (long) LONG_BE.get(d, pos);
                    long y = ~x;
                    if (((y - 0x0101010101010101L) & ~y & 0x8080808080808080L) == 0) {
                        int k = Math.min((64 - n) >> 3, 7);
                        acc = (acc << (8 * k)) | (x >>> (64 - 8 * k));
                        n += 8 * k;
                        pos += k;
                        continue;
                    }
                }
                int b = 0;
                if (!stopped) {
                    if (pos >= d.length) {
                        stopped = true;
                        eof = true;
                        continue;
                    }
                    b = d[pos] & 0xFF;
                    if (b == 0xFF) {
                        int j = pos + 1;
                        while (j < d.length && (d[j] & 0xFF) == 0xFF) j++;
                        if (j >= d.length) {
                            stopped = true;
                            eof = true;
                            continue;
                        }
                        if (d[j] == 0) {
                            pos = j + 1;
                        } else {
                            pos = j - 1;       // at the 0xFF that starts the marker
                            stopped = true;
                            continue;
                        }
                    } else {
                        pos++;
                    }
                } else {
                    fake += 8;
                }
                acc = (acc << 8) | b;
                n += 8;
            }
        }

        /** True once bits past the real data have been consumed. */
        boolean overrun() {
            return n < fake;
        }

        int bits(int s) {
            if (s == 0) return 0;
            if (n < s) fill();
            n -= s;
            return (int) (acc >>> n) & ((1 << s) - 1);
        }

        int bit() {
            if (n < 1) fill();
            n--;
            return (int) (acc >>> n) & 1;
        }

        int decode(Huffman h) {
            if (n < 16) fill();
            int e = h.lookup[(int) (acc >>> (n - Huffman.LOOKUP_BITS)) & ((1 << Huffman.LOOKUP_BITS) - 1)];
            if (e != 0) {
                n -= e >>> 8;
                return e & 0xFF;
            }
            int code = (int) (acc >>> (n - 16)) & 0xFFFF;
            for (int len = Huffman.LOOKUP_BITS + 1; len <= 16; len++) {
                int c = code >>> (16 - len);
                if (c <= h.maxcode[len]) {
                    n -= len;
                    int idx = c + h.valoffset[len];
                    if (idx < 0 || idx >= h.vals.length) break;
                    return h.vals[idx] & 0xFF;
                }
            }
            throw new DecodeException("corrupt JPEG data (bad Huffman code)");
        }

        /** Drops buffered bits and returns the position of the next marker (for restarts and scan ends). */
        int resetToMarker() {
            acc = 0;
            n = 0;
            fake = 0;
            int p = pos;
            if (!stopped) {
                while (p < d.length) {
                    if ((d[p] & 0xFF) == 0xFF && p + 1 < d.length && d[p + 1] != 0 && (d[p + 1] & 0xFF) != 0xFF) break;
                    p++;
                }
            }
            stopped = false;
            eof = false;
            return p;
        }
    }

    private static int extend(int v, int s) {
        return s == 0 ? 0 : v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
    }

    /** Decodes one scan; returns the position where the next marker search starts. */
    private static int decodeScan(byte[] d, int p, int len, Frame f, java.util.function.IntConsumer mcuRowDone) {
        if (len < 1) throw new DecodeException("corrupt JPEG data (bad scan header)");
        int ns = d[p] & 0xFF;
        if (ns < 1 || ns > 4 || len < 4 + 2 * ns) throw new DecodeException("corrupt JPEG data (bad scan header)");
        Component[] sc = new Component[ns];
        for (int i = 0; i < ns; i++) {
            int id = d[p + 1 + 2 * i] & 0xFF, t = d[p + 2 + 2 * i] & 0xFF;
            Component c = null;
            for (Component x : f.comps) if (x.id == id) c = x;
            if (c == null) throw new DecodeException("corrupt JPEG data (scan names an unknown component)");
            c.dcTable = t >> 4;
            c.acTable = t & 15;
            if (c.dcTable > 3 || c.acTable > 3) throw new DecodeException("corrupt JPEG data (bad Huffman table number)");
            sc[i] = c;
        }
        int q = p + 1 + 2 * ns;
        int ss = d[q] & 0xFF, se = d[q + 1] & 0xFF, ah = (d[q + 2] & 0xFF) >> 4, al = d[q + 2] & 15;
        for (Component c : sc) {
            if (c.q == null) {
                if (f.qt[c.tq] == null) throw new DecodeException("corrupt JPEG data (quantisation table " + c.tq + " missing)");
                c.q = f.qt[c.tq];       // a DQT arriving later (between progressive scans) does not change it
            }
        }
        int kind;        // 0 sequential, 1 DC first, 2 DC refine, 3 AC first, 4 AC refine
        if (!f.progressive) {
            kind = 0;
            if (ss != 0 || se != 63) {
                // libjpeg tolerates odd values in sequential scans; Ss/Se do not change baseline decoding.
                ss = 0;
                se = 63;
            }
            for (Component c : sc) {
                if (f.dc[c.dcTable] == null || f.ac[c.acTable] == null) {
                    throw new DecodeException("unsupported JPEG (Huffman table missing; Motion-JPEG frame?)");
                }
            }
        } else {
            if (ss == 0) {
                if (se != 0) throw new DecodeException("corrupt JPEG data (bad progressive scan)");
                kind = ah == 0 ? 1 : 2;
                if (kind == 1) {
                    for (Component c : sc) {
                        if (f.dc[c.dcTable] == null) throw new DecodeException("corrupt JPEG data (Huffman table missing)");
                    }
                }
            } else {
                if (ns != 1 || se < ss || se > 63) throw new DecodeException("corrupt JPEG data (bad progressive scan)");
                kind = ah == 0 ? 3 : 4;
                if (f.ac[sc[0].acTable] == null) throw new DecodeException("corrupt JPEG data (Huffman table missing)");
            }
            if (al > 13) throw new DecodeException("corrupt JPEG data (bad progressive scan)");
        }
        for (Component c : sc) c.dcPred = 0;
        Bits bits = new Bits(d, p + len);
        int restart = f.restartInterval;
        int[] eobrun = {0};
        long units;           // MCUs in this scan
        int unitsX;
        if (ns == 1) {
            Component c = sc[0];
            unitsX = (c.dw + 7) / 8;
            units = (long) unitsX * ((c.dh + 7) / 8);
        } else {
            unitsX = f.mcusX;
            units = (long) f.mcusX * f.mcusY;
        }
        int todo = restart;
        for (long u = 0; u < units; u++) {
            if (restart > 0) {
                if (todo == 0) {
                    int mp = bits.resetToMarker();
                    if (mp + 1 >= d.length || (d[mp + 1] & 0xFF) < 0xD0 || (d[mp + 1] & 0xFF) > 0xD7) {
                        throw new DecodeException(mp + 1 >= d.length ? "truncated JPEG data (image data ends early)"
                                : "corrupt JPEG data (restart marker missing)");
                    }
                    bits = new Bits(d, mp + 2);
                    for (Component c : sc) c.dcPred = 0;
                    eobrun[0] = 0;
                    todo = restart;
                }
                todo--;
            }
            int mx = (int) (u % unitsX), my = (int) (u / unitsX);
            if (ns == 1) {
                Component c = sc[0];
                decodeBlock(bits, f, c, (my * c.bw + mx) * 64, kind, ss, se, al, eobrun);
            } else {
                for (Component c : sc) {
                    for (int by = 0; by < c.v; by++) {
                        for (int bx = 0; bx < c.h; bx++) {
                            int off = ((my * c.v + by) * c.bw + mx * c.h + bx) * 64;
                            decodeBlock(bits, f, c, off, kind, ss, se, al, eobrun);
                        }
                    }
                }
            }
            if (mx == unitsX - 1) {
                if (bits.overrun()) {
                    throw new DecodeException(bits.eof ? "truncated JPEG data (image data ends early)"
                            : "corrupt JPEG data (image data ends early, at a marker)");
                }
                if (mcuRowDone != null && ns > 1) mcuRowDone.accept(my);
            }
        }
        if (bits.overrun()) {
            throw new DecodeException(bits.eof ? "truncated JPEG data (image data ends early)"
                    : "corrupt JPEG data (image data ends early, at a marker)");
        }
        return bits.resetToMarker();
    }

    private static void decodeBlock(Bits b, Frame f, Component c, int off, int kind, int ss, int se, int al, int[] eobrun) {
        short[] coef = c.coef;
        switch (kind) {
            case 0 -> decodeSequential(b, f.dc[c.dcTable], f.ac[c.acTable], c, off);
            case 1 -> {
                int t = b.decode(f.dc[c.dcTable]);
                int diff = t == 0 ? 0 : extend(b.bits(t), t);
                c.dcPred += diff;
                coef[off] = (short) (c.dcPred << al);
            }
            case 2 -> {
                if (b.bit() != 0) coef[off] |= (short) (1 << al);
            }
            case 3 -> {
                if (eobrun[0] > 0) {
                    eobrun[0]--;
                    return;
                }
                Huffman ac = f.ac[c.acTable];
                int[] fast = ac.fastAc;
                for (int k = ss; k <= se; k++) {
                    if (b.n < 32) b.fill();
                    int fa = fast[(int) (b.acc >>> (b.n - Huffman.LOOKUP_BITS)) & ((1 << Huffman.LOOKUP_BITS) - 1)];
                    if (fa != 0) {
                        b.n -= fa & 0xFF;
                        k += (fa >> 8) & 0xFF;
                        coef[off + NATURAL[k]] = (short) ((fa >> 16) * (1 << al));
                        c.hasAc[off >> 6] = 1;
                        continue;
                    }
                    int rs = b.decode(ac);
                    int r = rs >> 4, s = rs & 15;
                    if (s != 0) {
                        k += r;
                        coef[off + NATURAL[k]] = (short) (extend(b.bits(s), s) * (1 << al));
                        c.hasAc[off >> 6] = 1;
                    } else if (r == 15) {
                        k += 15;
                    } else {
                        int run = 1 << r;
                        if (r != 0) run += b.bits(r);
                        eobrun[0] = run - 1;
                        break;
                    }
                }
            }
            default -> {
                if (refineAc(b, f.ac[c.acTable], coef, off, ss, se, al, eobrun)) c.hasAc[off >> 6] = 1;
            }
        }
    }

    /**
     * One block of a sequential scan. The bit buffer lives in locals while the block is decoded (the hot
     * loop of the whole decoder) and is written back only around refills.
     */
    private static void decodeSequential(Bits b, Huffman dc, Huffman ac, Component c, int off) {
        short[] coef = c.coef;
        int t = b.decode(dc);
        int diff = t == 0 ? 0 : extend(b.bits(t), t);
        c.dcPred += diff;
        coef[off] = (short) c.dcPred;
        int[] fast = ac.fastAc;
        long acc = b.acc;
        int n = b.n;
        boolean any = false;
        for (int k = 1; k < 64; k++) {
            if (n < 32) {
                b.n = n;
                b.fill();
                acc = b.acc;
                n = b.n;
            }
            int fa = fast[(int) (acc >>> (n - Huffman.LOOKUP_BITS)) & ((1 << Huffman.LOOKUP_BITS) - 1)];
            if (fa != 0) {
                n -= fa & 0xFF;
                k += (fa >> 8) & 0xFF;
                coef[off + NATURAL[k]] = (short) (fa >> 16);      // k <= 63 + 15 < NATURAL.length
                any = true;
                continue;
            }
            b.n = n;
            int rs = b.decode(ac);
            int r = rs >> 4, sz = rs & 15;
            if (sz == 0) {
                n = b.n;
                acc = b.acc;
                if (r != 15) break;
                k += 15;
                continue;
            }
            k += r;
            int v = extend(b.bits(sz), sz);
            acc = b.acc;
            n = b.n;
            coef[off + NATURAL[k]] = (short) v;
            any = true;
        }
        b.n = n;
        if (any) c.hasAc[off >> 6] = 1;
    }

    /**
     * Successive-approximation refinement of AC coefficients (ITU T.81 G.1.2.3), as libjpeg does it.
     * Returns true when a new non-zero coefficient appeared.
     */
    private static boolean refineAc(Bits b, Huffman ac, short[] coef, int off, int ss, int se, int al, int[] eobrun) {
        int p1 = 1 << al, m1 = -1 << al;
        int k = ss;
        boolean added = false;
        if (eobrun[0] == 0) {
            for (; k <= se; k++) {
                int rs = b.decode(ac);
                int r = rs >> 4, s = rs & 15;
                if (s != 0) {
                    // s must be 1 here; libjpeg only warns otherwise, and so the value is just the sign.
                    s = b.bit() != 0 ? p1 : m1;
                } else if (r != 15) {
                    eobrun[0] = 1 << r;
                    if (r != 0) eobrun[0] += b.bits(r);
                    break;
                }
                // Skip r zero-history coefficients, refining the non-zero ones passed on the way.
                do {
                    int z = off + NATURAL[k];
                    if (coef[z] != 0) {
                        if (b.bit() != 0 && (coef[z] & p1) == 0) {
                            coef[z] += (short) (coef[z] >= 0 ? p1 : m1);
                        }
                    } else {
                        if (--r < 0) break;
                    }
                    k++;
                } while (k <= se);
                if (s != 0 && k <= 63) {
                    coef[off + NATURAL[k]] = (short) s;
                    added = true;
                }
            }
        }
        if (eobrun[0] > 0) {
            for (; k <= se; k++) {
                int z = off + NATURAL[k];
                if (coef[z] != 0 && b.bit() != 0 && (coef[z] & p1) == 0) {
                    coef[z] += (short) (coef[z] >= 0 ? p1 : m1);
                }
            }
            eobrun[0]--;
        }
        return added;
    }

    // ------------------------------------------------------------------------------------------
    // Reconstruction: IDCT, upsampling, colour conversion

    private enum ColorSpace { GRAY, YCC, RGB, CMYK, YCCK }

    /** libjpeg-turbo's default_decompress_parms guess, which Pillow relies on. */
    private static ColorSpace colorSpace(Frame f) {
        Component[] c = f.comps;
        if (c.length == 1) return ColorSpace.GRAY;
        if (c.length == 3) {
            if (f.jfif) return ColorSpace.YCC;
            if (f.adobe) return f.adobeTransform == 0 ? ColorSpace.RGB : ColorSpace.YCC;
            if (c[0].id == 1 && c[1].id == 2 && c[2].id == 3) return ColorSpace.YCC;
            if (c[0].id == 'R' && c[1].id == 'G' && c[2].id == 'B') return ColorSpace.RGB;
            return ColorSpace.YCC;
        }
        if (f.adobe) return f.adobeTransform == 0 ? ColorSpace.CMYK : ColorSpace.YCCK;
        return ColorSpace.CMYK;
    }

    /** Checks what rendering needs and allocates the component planes. */
    private static ColorSpace prepareRender(Frame f) {
        for (Component c : f.comps) {
            if (c.coef == null) throw new DecodeException("corrupt JPEG data (no image data)");
            if (c.q == null) c.q = f.qt[c.tq];
            if (c.q == null) throw new DecodeException("corrupt JPEG data (quantisation table missing)");
            if (f.hmax % c.h != 0 || f.vmax % c.v != 0) {
                throw new DecodeException("unsupported JPEG (fractional sampling factors)");
            }
            if (c.plane == null) c.plane = new byte[c.bw * 8 * c.bh * 8];
        }
        return colorSpace(f);
    }

    /** Block rows of component c that hold real samples (the rest are MCU padding and never shown). */
    private static int blockRowsNeeded(Component c) {
        return Math.min(c.bh, (c.dh + 7) / 8);
    }

    /** IDCT of block rows [r0, r1) of component c into its plane. */
    private static void idctRows(Component c, int r0, int r1, int[] ws) {
        int[] q = c.q;
        int colsNeeded = Math.min(c.bw, (c.dw + 7) / 8);
        int stride = c.bw * 8;
        for (int by = r0; by < Math.min(r1, blockRowsNeeded(c)); by++) {
            for (int bx = 0; bx < colsNeeded; bx++) {
                int blk = by * c.bw + bx;
                int outOff = by * 8 * stride + bx * 8;
                if (c.hasAc[blk] == 0) {
                    // DC only: both passes' shortcuts give one value, (dc * q * 4 + 16) >> 5, recentred.
                    byte v = (byte) clamp((((c.coef[blk * 64] * q[0]) << 2) + 16 >> 5) + 128);
                    for (int r = 0; r < 8; r++) java.util.Arrays.fill(c.plane, outOff + r * stride, outOff + r * stride + 8, v);
                } else {
                    idct(c.coef, blk * 64, q, ws, c.plane, outOff, stride);
                }
            }
        }
    }

    /** Upsamples and colour-converts output rows [y0, y1) from the finished planes. */
    private static void colorRows(Frame f, ColorSpace cs, byte[] rgb, int y0, int y1) {
        int w = f.width, n = f.comps.length;
        byte[][] buf = new byte[n][w + 2 * f.hmax + 16];
        int[] colsum = new int[w + 16];
        byte[][] src = new byte[n][];
        int[] srcOff = new int[n];
        for (int y = y0; y < y1; y++) {
            for (int ci = 0; ci < n; ci++) {
                Component c = f.comps[ci];
                if (c.h == f.hmax && c.v == f.vmax) {
                    src[ci] = c.plane;                  // full resolution: read the plane in place
                    srcOff[ci] = y * c.bw * 8;
                } else {
                    upsampleRow(f, c, y, buf[ci], colsum);
                    src[ci] = buf[ci];
                    srcOff[ci] = 0;
                }
            }
            convertRow(cs, src, srcOff, rgb, y * w * 3, w);
        }
    }

    /** Two-phase reconstruction after all scans: parallel IDCT per component, then parallel colour strips. */
    private static Decoded render(Frame f) {
        ColorSpace cs = prepareRender(f);
        for (Component c : f.comps) {
            Parallel.forBlocks(blockRowsNeeded(c), (r0, r1) -> idctRows(c, r0, r1, new int[128]));
            c.coef = null;      // free the coefficients before the output is allocated
            c.hasAc = null;
        }
        int w = f.width, h = f.height;
        byte[] rgb = new byte[w * h * 3];
        // Strips of 16 output rows; every strip reads the finished planes only, so strips are independent.
        Parallel.forBlocks((h + 15) / 16, (s0, s1) -> colorRows(f, cs, rgb, s0 * 16, Math.min(h, s1 * 16)));
        Decoded out = new Decoded(w, h, rgb, null);
        out.orientation = f.orientation;
        return out;
    }

    /**
     * Decodes a sequential scan that holds every component (nearly every JPEG) while other pool threads
     * reconstruct the MCU rows already decoded: thread 0 entropy-decodes and hands out work as rows
     * complete; the other threads run the IDCT of finished MCU rows and the colour conversion of output
     * rows whose neighbouring MCU rows (needed by the upsampling filters) are done. The decoder thread
     * joins in once the entropy data is finished. On one thread this degrades to decode-then-render.
     */
    private static int decodePipelined(byte[] d, int p, int len, Frame f, byte[] rgb, ColorSpace cs) {
        Pipeline pl = new Pipeline(f.mcusY);
        int[] end = new int[1];
        Parallel.forRange(Math.max(1, Math.min(Parallel.threads(), f.mcusY)), i -> {
            if (i == 0) {
                pl.producerStarted();
                try {
                    end[0] = decodeScan(d, p, len, f, pl::decoded);
                } catch (Throwable t) {
                    pl.abort(t);
                    return;
                }
                pl.producerFinished();
            }
            pl.work(f, cs, rgb, i == 0);
        });
        if (pl.failure != null) {
            if (pl.failure instanceof RuntimeException re) throw re;
            if (pl.failure instanceof Error err) throw err;
            throw new IllegalStateException(pl.failure);
        }
        for (Component c : f.comps) {
            c.coef = null;
            c.hasAc = null;
        }
        return end[0];
    }

    /** Hands out IDCT and colour-conversion work by MCU row as the entropy decoder finishes rows. */
    private static final class Pipeline {
        private static final int WAIT = -1, DONE = Integer.MIN_VALUE;
        final int bands;
        final boolean[] idctDone;
        int decodedRows, nextIdct, nextColor;
        int producer;                     // 0 not started, 1 decoding, 2 finished
        volatile Throwable failure;

        Pipeline(int bands) {
            this.bands = bands;
            this.idctDone = new boolean[bands];
        }

        synchronized void producerStarted() {
            producer = 1;
        }

        synchronized void producerFinished() {
            producer = 2;
            notifyAll();
        }

        synchronized void decoded(int mcuRow) {
            decodedRows = mcuRow + 1;
            notifyAll();
        }

        synchronized void abort(Throwable t) {
            if (failure == null) failure = t;
            notifyAll();
        }

        private boolean colourReady(int b) {
            return idctDone[b] && (b == 0 || idctDone[b - 1]) && (b == bands - 1 || idctDone[b + 1]);
        }

        /** IDCT band b as b, colour band b as -(b + 2), or WAIT / DONE. */
        private synchronized int take(boolean isProducer) throws InterruptedException {
            int waitsForStart = 0;
            while (true) {
                if (failure != null) return DONE;
                if (nextIdct < decodedRows) return nextIdct++;
                if (nextColor < bands && colourReady(nextColor)) return -(nextColor++ + 2);
                if (nextColor >= bands) return DONE;
                // A helper that finds the decoder not started after a few milliseconds is probably running on
                // the decoder's own thread, before it (the pool ran the tasks one after the other): it must
                // not wait for it, so it leaves, and the decoder thread does the work itself afterwards.
                if (!isProducer && producer == 0 && ++waitsForStart > 5) return DONE;
                wait(1);
            }
        }

        private synchronized void idctFinished(int b) {
            idctDone[b] = true;
            notifyAll();
        }

        void work(Frame f, ColorSpace cs, byte[] rgb, boolean isProducer) {
            int[] ws = new int[128];
            int bandRows = 8 * f.vmax;
            try {
                while (true) {
                    int t = take(isProducer);
                    if (t == DONE) return;
                    if (t >= 0) {
                        for (Component c : f.comps) idctRows(c, t * c.v, (t + 1) * c.v, ws);
                        idctFinished(t);
                    } else {
                        int b = -t - 2;
                        colorRows(f, cs, rgb, b * bandRows, Math.min(f.height, (b + 1) * bandRows));
                    }
                }
            } catch (Throwable e) {
                abort(e);
            }
        }
    }

    /**
     * Fills out[0..width) with subsampled component c's samples for output row y, upsampled the way
     * libjpeg-turbo does it (see the class comment).
     */
    private static void upsampleRow(Frame f, Component c, int y, byte[] out, int[] colsum) {
        byte[] pl = c.plane;
        int stride = c.bw * 8;
        int w = f.width;
        boolean fullH = c.h == f.hmax, fullV = c.v == f.vmax;
        boolean h2 = 2 * c.h == f.hmax, v2 = 2 * c.v == f.vmax;
        if (h2 && fullV && c.dw > 2) {
            // h2v1 fancy: 3/4 nearer + 1/4 further sample, rounding biases 1 and 2 alternating.
            int p = y * stride;
            int dw = c.dw;
            int cur = pl[p] & 0xFF;
            out[0] = (byte) cur;
            out[1] = (byte) ((cur * 3 + (pl[p + 1] & 0xFF) + 2) >> 2);
            for (int i = 1; i < dw - 1; i++) {
                int v = (pl[p + i] & 0xFF) * 3;
                out[2 * i] = (byte) ((v + (pl[p + i - 1] & 0xFF) + 1) >> 2);
                out[2 * i + 1] = (byte) ((v + (pl[p + i + 1] & 0xFF) + 2) >> 2);
            }
            int last = pl[p + dw - 1] & 0xFF;
            out[2 * dw - 2] = (byte) ((last * 3 + (pl[p + dw - 2] & 0xFF) + 1) >> 2);
            out[2 * dw - 1] = (byte) last;
        } else if (fullH && v2) {
            // h1v2 fancy (libjpeg-turbo only): vertical triangle filter, bias 1 for the upper row, 2 for the lower.
            int iy = y >> 1;
            boolean upper = (y & 1) == 0;
            int ny = upper ? Math.max(iy - 1, 0) : Math.min(iy + 1, c.dh - 1);
            int p0 = iy * stride, p1 = ny * stride;
            int bias = upper ? 1 : 2;
            for (int x = 0; x < w; x++) out[x] = (byte) (((pl[p0 + x] & 0xFF) * 3 + (pl[p1 + x] & 0xFF) + bias) >> 2);
        } else if (h2 && v2 && c.dw > 2) {
            // h2v2 fancy: vertical 3:1 column sums (nearer row, then the row above or below, replicated at the
            // edges), then horizontal 3:1 on the sums, rounding biases 8 and 7 alternating.
            int iy = y >> 1;
            int ny = (y & 1) == 0 ? Math.max(iy - 1, 0) : Math.min(iy + 1, c.dh - 1);
            int p0 = iy * stride, p1 = ny * stride;
            int dw = c.dw;
            for (int i = 0; i < dw; i++) colsum[i] = (pl[p0 + i] & 0xFF) * 3 + (pl[p1 + i] & 0xFF);
            out[0] = (byte) ((colsum[0] * 4 + 8) >> 4);
            out[1] = (byte) ((colsum[0] * 3 + colsum[1] + 7) >> 4);
            int prev = colsum[0], cur = colsum[1];
            for (int i = 1; i < dw - 1; i++) {
                int next = colsum[i + 1];
                int t = cur * 3;
                out[2 * i] = (byte) ((t + prev + 8) >> 4);
                out[2 * i + 1] = (byte) ((t + next + 7) >> 4);
                prev = cur;
                cur = next;
            }
            out[2 * dw - 2] = (byte) ((cur * 3 + prev + 8) >> 4);
            out[2 * dw - 1] = (byte) ((cur * 4 + 7) >> 4);
        } else {
            // Integer ratios without a fancy filter (and narrow components): replicate each sample.
            int hx = f.hmax / c.h, vy = f.vmax / c.v;
            int p = (y / vy) * stride;
            if (hx == 1) System.arraycopy(pl, p, out, 0, w);
            else for (int x = 0; x < w; x++) out[x] = pl[p + x / hx];
        }
    }

    // libjpeg's YCbCr -> RGB tables: 16-bit fixed point, FIX(x) = round(x * 65536).
    private static final int[] CR_R = new int[256], CB_B = new int[256], CR_G = new int[256], CB_G = new int[256];
    /** Clamp to 0..255 by table: RANGE[v + 512] for v in [-512, 511]. */
    private static final byte[] RANGE = new byte[1024];

    static {
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (91881 * x + 32768) >> 16;       // FIX(1.40200)
            CB_B[i] = (116130 * x + 32768) >> 16;      // FIX(1.77200)
            CR_G[i] = -46802 * x;                      // -FIX(0.71414)
            CB_G[i] = -22554 * x + 32768;              // -FIX(0.34414), plus rounding
        }
        for (int i = 0; i < 1024; i++) RANGE[i] = (byte) clamp(i - 512);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Pillow's CMYK -> RGB for one channel: 255 - k - c(255 - k)/255 with its MULDIV255 rounding. */
    private static int cmyk(int c, int nk) {
        int t = c * nk + 128;
        return clamp(nk - (((t >> 8) + t) >> 8));
    }

    /**
     * YCbCr to RGB for one row: libjpeg's table entries computed inline (the same integer expressions,
     * so the same results) because multiplies are cheaper here than four dependent table loads.
     */
    private static void yccRow(byte[] ya, int py, byte[] cba, int pu, byte[] cra, int pv, byte[] rgb, int o, int w) {
        for (int x = 0; x < w; x++, o += 3) {
            int y = ya[py + x] & 0xFF, u = (cba[pu + x] & 0xFF) - 128, v = (cra[pv + x] & 0xFF) - 128;
            int r = y + ((91881 * v + 32768) >> 16);
            int g = y + ((-22554 * u - 46802 * v + 32768) >> 16);
            int b = y + ((116130 * u + 32768) >> 16);
            rgb[o] = (byte) Math.max(0, Math.min(r, 255));
            rgb[o + 1] = (byte) Math.max(0, Math.min(g, 255));
            rgb[o + 2] = (byte) Math.max(0, Math.min(b, 255));
        }
    }

    private static void convertRow(ColorSpace cs, byte[][] src, int[] off, byte[] rgb, int o, int w) {
        switch (cs) {
            case GRAY -> {
                byte[] g = src[0];
                int p = off[0];
                for (int x = 0; x < w; x++, o += 3) {
                    byte v = g[p + x];
                    rgb[o] = v;
                    rgb[o + 1] = v;
                    rgb[o + 2] = v;
                }
            }
            case RGB -> {
                byte[] r = src[0], g = src[1], b = src[2];
                int pr = off[0], pg = off[1], pb = off[2];
                for (int x = 0; x < w; x++, o += 3) {
                    rgb[o] = r[pr + x];
                    rgb[o + 1] = g[pg + x];
                    rgb[o + 2] = b[pb + x];
                }
            }
            case YCC -> yccRow(src[0], off[0], src[1], off[1], src[2], off[2], rgb, o, w);
            case CMYK -> {
                byte[] c = src[0], m = src[1], ye = src[2], k = src[3];
                int pc = off[0], pm = off[1], py = off[2], pk = off[3];
                for (int x = 0; x < w; x++, o += 3) {
                    // Pillow's "CMYK;I": stored bytes are inverted ink, so C' = 255 - C and 255 - K' = K.
                    int nk = k[pk + x] & 0xFF;
                    rgb[o] = (byte) cmyk(255 - (c[pc + x] & 0xFF), nk);
                    rgb[o + 1] = (byte) cmyk(255 - (m[pm + x] & 0xFF), nk);
                    rgb[o + 2] = (byte) cmyk(255 - (ye[py + x] & 0xFF), nk);
                }
            }
            case YCCK -> {
                byte[] ya = src[0], cba = src[1], cra = src[2], k = src[3];
                int py = off[0], pu = off[1], pv = off[2], pk = off[3];
                for (int x = 0; x < w; x++, o += 3) {
                    // libjpeg: C = 255 - R(YCC) etc., K as stored; Pillow then inverts all four.
                    int y = (ya[py + x] & 0xFF) + 512, u = cba[pu + x] & 0xFF, v = cra[pv + x] & 0xFF;
                    int nk = k[pk + x] & 0xFF;
                    rgb[o] = (byte) cmyk(RANGE[y + CR_R[v]] & 0xFF, nk);
                    rgb[o + 1] = (byte) cmyk(RANGE[y + ((CB_G[u] + CR_G[v]) >> 16)] & 0xFF, nk);
                    rgb[o + 2] = (byte) cmyk(RANGE[y + CB_B[u]] & 0xFF, nk);
                }
            }
        }
    }

    // libjpeg's jidctint.c constants: FIX(x) with 13 fractional bits.
    private static final int F0_298 = 2446, F0_390 = 3196, F0_541 = 4433, F0_765 = 6270, F0_899 = 7373,
            F1_175 = 9633, F1_501 = 12299, F1_847 = 15137, F1_961 = 16069, F2_053 = 16819, F2_562 = 20995,
            F3_072 = 25172;

    /** Accurate integer IDCT of one block (dequantising on the way), output clamped to 0..255 around 128. */
    private static void idct(short[] coef, int off, int[] q, int[] ws, byte[] out, int outOff, int stride) {
        columns(coef, off, q, ws);
        rows(ws, out, outOff, stride);
    }

    /** Pass 1 of the IDCT: dequantise, then the 1-D IDCT of each column, results scaled up by 2^2. */
    private static void columns(short[] coef, int off, int[] q, int[] ws) {
        // Dequantise (the product is what libjpeg's DEQUANTIZE gives), in the upper half of the workspace.
        for (int i = 0; i < 64; i++) ws[64 + i] = coef[off + i] * q[i];
        // Pass 1: columns, results scaled up by 2^2 (PASS1_BITS).
        for (int col = 0; col < 8; col++) {
            int c0 = ws[64 + col], c1 = ws[72 + col], c2 = ws[80 + col], c3 = ws[88 + col],
                    c4 = ws[96 + col], c5 = ws[104 + col], c6 = ws[112 + col], c7 = ws[120 + col];
            if ((c1 | c2 | c3 | c4 | c5 | c6 | c7) == 0) {
                int dc = c0 << 2;
                for (int r = 0; r < 8; r++) ws[r * 8 + col] = dc;
                continue;
            }
            int z2 = c2, z3 = c6;
            int z1 = (z2 + z3) * F0_541;
            int tmp2 = z1 - z3 * F1_847;
            int tmp3 = z1 + z2 * F0_765;
            z2 = c0;
            z3 = c4;
            int tmp0 = (z2 + z3) << 13;
            int tmp1 = (z2 - z3) << 13;
            int t10 = tmp0 + tmp3, t13 = tmp0 - tmp3, t11 = tmp1 + tmp2, t12 = tmp1 - tmp2;
            int o0 = c7, o1 = c5, o2 = c3, o3 = c1;
            z1 = o0 + o3;
            z2 = o1 + o2;
            z3 = o0 + o2;
            int z4 = o1 + o3;
            int z5 = (z3 + z4) * F1_175;
            o0 *= F0_298;
            o1 *= F2_053;
            o2 *= F3_072;
            o3 *= F1_501;
            z1 *= -F0_899;
            z2 *= -F2_562;
            z3 = z3 * -F1_961 + z5;
            z4 = z4 * -F0_390 + z5;
            o0 += z1 + z3;
            o1 += z2 + z4;
            o2 += z2 + z3;
            o3 += z1 + z4;
            ws[col] = (t10 + o3 + 1024) >> 11;
            ws[56 + col] = (t10 - o3 + 1024) >> 11;
            ws[8 + col] = (t11 + o2 + 1024) >> 11;
            ws[48 + col] = (t11 - o2 + 1024) >> 11;
            ws[16 + col] = (t12 + o1 + 1024) >> 11;
            ws[40 + col] = (t12 - o1 + 1024) >> 11;
            ws[24 + col] = (t13 + o0 + 1024) >> 11;
            ws[32 + col] = (t13 - o0 + 1024) >> 11;
        }
    }

    /** Pass 2: rows, descale by 2^(13 + 2 + 3), recentre at 128 and clamp. */
    private static void rows(int[] ws, byte[] out, int outOff, int stride) {
        for (int row = 0; row < 8; row++) {
            int r = row * 8;
            int p = outOff + row * stride;
            int w0 = ws[r], w1 = ws[r + 1], w2 = ws[r + 2], w3 = ws[r + 3], w4 = ws[r + 4], w5 = ws[r + 5], w6 = ws[r + 6],
                    w7 = ws[r + 7];
            if ((w1 | w2 | w3 | w4 | w5 | w6 | w7) == 0) {
                byte v = (byte) clamp(((w0 + 16) >> 5) + 128);
                for (int i = 0; i < 8; i++) out[p + i] = v;
                continue;
            }
            int z1 = (w2 + w6) * F0_541;
            int tmp2 = z1 - w6 * F1_847;
            int tmp3 = z1 + w2 * F0_765;
            int tmp0 = (w0 + w4) << 13;
            int tmp1 = (w0 - w4) << 13;
            int t10 = tmp0 + tmp3, t13 = tmp0 - tmp3, t11 = tmp1 + tmp2, t12 = tmp1 - tmp2;
            int o0 = w7, o1 = w5, o2 = w3, o3 = w1;
            z1 = o0 + o3;
            int z2 = o1 + o2, z3 = o0 + o2, z4 = o1 + o3;
            int z5 = (z3 + z4) * F1_175;
            o0 *= F0_298;
            o1 *= F2_053;
            o2 *= F3_072;
            o3 *= F1_501;
            z1 *= -F0_899;
            z2 *= -F2_562;
            z3 = z3 * -F1_961 + z5;
            z4 = z4 * -F0_390 + z5;
            o0 += z1 + z3;
            o1 += z2 + z4;
            o2 += z2 + z3;
            o3 += z1 + z4;
            final int round = 1 << 17;
            out[p] = (byte) clamp(((t10 + o3 + round) >> 18) + 128);
            out[p + 7] = (byte) clamp(((t10 - o3 + round) >> 18) + 128);
            out[p + 1] = (byte) clamp(((t11 + o2 + round) >> 18) + 128);
            out[p + 6] = (byte) clamp(((t11 - o2 + round) >> 18) + 128);
            out[p + 2] = (byte) clamp(((t12 + o1 + round) >> 18) + 128);
            out[p + 5] = (byte) clamp(((t12 - o1 + round) >> 18) + 128);
            out[p + 3] = (byte) clamp(((t13 + o0 + round) >> 18) + 128);
            out[p + 4] = (byte) clamp(((t13 - o0 + round) >> 18) + 128);
        }
    }

    private static String markerName(int m) {
        return switch (m) {
            case 0xC4 -> "DHT";
            case 0xDB -> "DQT";
            case 0xDA -> "SOS";
            case 0xDD -> "DRI";
            default -> isSof(m) ? "SOF" : (m >= 0xE0 && m <= 0xEF) ? "APP" + (m - 0xE0) : "marker 0x" + Integer.toHexString(m);
        };
    }
}
