package org.tessera.vision.image;

/**
 * The file formats {@link ImageLoader} reads, recognised by their first bytes (never by the file name:
 * a PNG saved as {@code photo.jpg} is still a PNG).
 */
public enum ImageFormat {
    PNG("PNG"),
    JPEG("JPEG"),
    BMP("BMP"),
    GIF("GIF"),
    WEBP("WebP"),
    TIFF("TIFF"),
    PDF("PDF");

    private final String displayName;

    ImageFormat(String displayName) {
        this.displayName = displayName;
    }

    /** The name people know the format by ("WebP", not "WEBP"). */
    public String displayName() {
        return displayName;
    }

    /** The list shown when a file is none of these. */
    static final String SUPPORTED_LIST = "PNG, JPEG, BMP, GIF, WebP, TIFF, PDF";

    /**
     * The format whose signature {@code data} starts with, or null. Only the first few dozen bytes are
     * looked at (1 KiB for PDF, whose header may follow some junk, as Acrobat tolerates).
     */
    static ImageFormat sniff(byte[] data) {
        int n = data.length;
        if (n >= 8 && (data[0] & 0xFF) == 0x89 && data[1] == 'P' && data[2] == 'N' && data[3] == 'G'
                && data[4] == 0x0D && data[5] == 0x0A && data[6] == 0x1A && data[7] == 0x0A) {
            return PNG;
        }
        if (n >= 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF) {
            return JPEG;
        }
        if (n >= 6 && data[0] == 'G' && data[1] == 'I' && data[2] == 'F' && data[3] == '8'
                && (data[4] == '7' || data[4] == '9') && data[5] == 'a') {
            return GIF;
        }
        if (n >= 12 && data[0] == 'R' && data[1] == 'I' && data[2] == 'F' && data[3] == 'F'
                && data[8] == 'W' && data[9] == 'E' && data[10] == 'B' && data[11] == 'P') {
            return WEBP;
        }
        if (n >= 4 && ((data[0] == 'I' && data[1] == 'I' && (data[2] == 42 || data[2] == 43) && data[3] == 0)
                || (data[0] == 'M' && data[1] == 'M' && data[2] == 0 && (data[3] == 42 || data[3] == 43)))) {
            return TIFF;
        }
        // "BM" alone is too weak (a text file may start with it): also require a known DIB header size.
        if (n >= 18 && data[0] == 'B' && data[1] == 'M') {
            int dib = (data[14] & 0xFF) | (data[15] & 0xFF) << 8 | (data[16] & 0xFF) << 16 | (data[17] & 0xFF) << 24;
            if (dib == 12 || dib == 16 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124) {
                return BMP;
            }
        }
        int limit = Math.min(n - 5, 1024);
        for (int i = 0; i < limit; i++) {
            if (data[i] == '%' && data[i + 1] == 'P' && data[i + 2] == 'D' && data[i + 3] == 'F' && data[i + 4] == '-') {
                return PDF;
            }
        }
        return null;
    }
}
