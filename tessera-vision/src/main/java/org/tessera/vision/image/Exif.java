package org.tessera.vision.image;

/**
 * Reads the Orientation tag (0x0112) from EXIF data, which is a little TIFF file: a byte-order mark,
 * the number 42, and the offset of the first directory, whose 12-byte entries hold the tags.
 * Every offset is bounds-checked: a damaged EXIF block means "no orientation", never an error,
 * because Pillow also loads such images (it just cannot rotate them).
 */
final class Exif {
    private Exif() {}

    /** Orientation 1..8 from an EXIF block that may start with the JPEG-style "Exif\0\0" header; 1 if absent. */
    static int orientation(byte[] d, int off, int len) {
        if (len >= 6 && d[off] == 'E' && d[off + 1] == 'x' && d[off + 2] == 'i' && d[off + 3] == 'f'
                && d[off + 4] == 0 && d[off + 5] == 0) {
            off += 6;
            len -= 6;
        }
        return orientationFromTiff(d, off, len, 0);
    }

    /**
     * Orientation from a TIFF structure starting at {@code base} ({@code len} bytes), looking in the directory
     * at {@code ifdOffset} (relative to base), or in the first directory when that is 0.
     */
    static int orientationFromTiff(byte[] d, int base, int len, long ifdOffset) {
        if (base < 0 || len < 8 || base + (long) len > d.length) return 1;
        boolean le;
        if (d[base] == 'I' && d[base + 1] == 'I') le = true;
        else if (d[base] == 'M' && d[base + 1] == 'M') le = false;
        else return 1;
        if (u16(d, base + 2, le) != 42) return 1;
        long ifd = ifdOffset != 0 ? ifdOffset : u32(d, base + 4, le);
        if (ifd < 8 || ifd + 2 > len) return 1;
        int count = u16(d, base + (int) ifd, le);
        for (int i = 0; i < count; i++) {
            long e = ifd + 2 + 12L * i;
            if (e + 12 > len) return 1;
            int p = base + (int) e;
            if (u16(d, p, le) == 0x0112) {
                int type = u16(d, p + 2, le);
                int v;
                if (type == 3) v = u16(d, p + 8, le);           // SHORT, as the standard says
                else if (type == 4) v = (int) Math.min(u32(d, p + 8, le), 99); // LONG: seen in the wild
                else return 1;
                return v >= 1 && v <= 8 ? v : 1;
            }
        }
        return 1;
    }

    /**
     * The values of an integer tag (SHORT or LONG) in the first directory of a classic TIFF file,
     * or null when the tag is absent or anything about it is out of bounds.
     */
    static long[] tiffTagValues(byte[] d, int tag) {
        if (d.length < 8) return null;
        boolean le = d[0] == 'I';
        long ifd = u32(d, 4, le);
        if (ifd < 8 || ifd + 2 > d.length) return null;
        int count = u16(d, (int) ifd, le);
        for (int i = 0; i < count; i++) {
            long e = ifd + 2 + 12L * i;
            if (e + 12 > d.length) return null;
            int p = (int) e;
            if (u16(d, p, le) != tag) continue;
            int type = u16(d, p + 2, le);
            long n = u32(d, p + 4, le);
            int size = type == 3 ? 2 : type == 4 ? 4 : 0;
            if (size == 0 || n > 1 << 24) return null;
            long at = n * size <= 4 ? p + 8 : u32(d, p + 8, le);
            if (at + n * size > d.length) return null;
            long[] v = new long[(int) n];
            for (int k = 0; k < n; k++) {
                int q = (int) (at + (long) k * size);
                v[k] = size == 2 ? u16(d, q, le) : u32(d, q, le);
            }
            return v;
        }
        return null;
    }

    static int u16(byte[] d, int p, boolean le) {
        return le ? (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8 : (d[p] & 0xFF) << 8 | (d[p + 1] & 0xFF);
    }

    static long u32(byte[] d, int p, boolean le) {
        return le ? (d[p] & 0xFFL) | (d[p + 1] & 0xFFL) << 8 | (d[p + 2] & 0xFFL) << 16 | (d[p + 3] & 0xFFL) << 24
                : (d[p] & 0xFFL) << 24 | (d[p + 1] & 0xFFL) << 16 | (d[p + 2] & 0xFFL) << 8 | (d[p + 3] & 0xFFL);
    }
}
