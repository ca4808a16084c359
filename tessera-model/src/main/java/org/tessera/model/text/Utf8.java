package org.tessera.model.text;

import java.io.ByteArrayOutputStream;

/**
 * UTF-8 helpers with the exact error behaviour the reference tokenizers have.
 *
 * <p>Two different replacement policies exist in the reference code, and a decoder must pick the one its reference
 * uses or its output differs on broken byte sequences (which a language model produces whenever it stops in the
 * middle of a multi-byte character):
 * <ul>
 *   <li>{@link #decodeLossy}: one U+FFFD per <em>maximal subpart</em> of an ill-formed sequence (Unicode 15,
 *       section 3.9, "U+FFFD substitution of maximal subparts"). This is what Rust's {@code String::from_utf8_lossy}
 *       (Hugging Face {@code tokenizers}' ByteLevel decoder), Python's {@code bytes.decode(errors="replace")} and the
 *       WHATWG {@code TextDecoder} do. {@code new String(bytes, UTF_8)} is not used because the JDK does not promise
 *       this granularity.</li>
 *   <li>{@link #decodePerByte}: SentencePiece's byte-piece decoding, which replaces every byte that does not start a
 *       complete, valid character with its own U+FFFD ({@code IsValidDecodeUTF8} consumes one byte on error).</li>
 * </ul>
 */
public final class Utf8 {

    private Utf8() {}

    /** U+FFFD REPLACEMENT CHARACTER. */
    public static final char REPLACEMENT = '\uFFFD';

    /**
     * UTF-8 bytes of {@code s}. Unpaired surrogates (which cannot be encoded) become U+FFFD, as the JDK's encoder
     * does; the reference implementations never see them because Rust and Python strings cannot hold them in UTF-8.
     */
    public static byte[] encode(CharSequence s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
        appendUtf8(s, 0, s.length(), out);
        return out.toByteArray();
    }

    static void appendUtf8(CharSequence s, int from, int to, ByteArrayOutputStream out) {
        for (int i = from; i < to; ) {
            int cp = Character.codePointAt(s, i);
            int n = Character.charCount(cp);
            if (Character.isSurrogate((char) cp) && n == 1) cp = REPLACEMENT;
            appendCodePoint(cp, out);
            i += n;
        }
    }

    static void appendCodePoint(int cp, ByteArrayOutputStream out) {
        if (cp < 0x80) {
            out.write(cp);
        } else if (cp < 0x800) {
            out.write(0xC0 | (cp >> 6));
            out.write(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out.write(0xE0 | (cp >> 12));
            out.write(0x80 | ((cp >> 6) & 0x3F));
            out.write(0x80 | (cp & 0x3F));
        } else {
            out.write(0xF0 | (cp >> 18));
            out.write(0x80 | ((cp >> 12) & 0x3F));
            out.write(0x80 | ((cp >> 6) & 0x3F));
            out.write(0x80 | (cp & 0x3F));
        }
    }

    /**
     * Length of the well-formed sequence starting at {@code b[i]} if the bytes up to {@code end} form one; otherwise
     * the negated length of its maximal subpart (at least 1), or {@link #INCOMPLETE} when the bytes so far are a
     * valid prefix that runs into {@code end} (more bytes could still complete it). Table 3-7 of the Unicode
     * standard: the second byte's range depends on the lead (E0: A0..BF, ED: 80..9F, F0: 90..BF, F4: 80..8F),
     * which excludes overlongs, surrogates and code points above U+10FFFF.
     */
    static int scan(byte[] b, int i, int end) {
        int b0 = b[i] & 0xFF;
        if (b0 < 0x80) return 1;
        int need;
        int lo = 0x80, hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            need = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            need = 3;
            if (b0 == 0xE0) lo = 0xA0;
            else if (b0 == 0xED) hi = 0x9F;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            need = 4;
            if (b0 == 0xF0) lo = 0x90;
            else if (b0 == 0xF4) hi = 0x8F;
        } else {
            return -1; // 80..C1, F5..FF never start a character
        }
        for (int k = 1; k < need; k++) {
            if (i + k >= end) return INCOMPLETE;
            int c = b[i + k] & 0xFF;
            int l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
            if (c < l || c > h) return -k; // lead plus the k-1 good continuation bytes form the maximal subpart
        }
        return need;
    }

    /** Marker returned by {@link #scan} for a valid but unfinished sequence at the end of the input. */
    static final int INCOMPLETE = Integer.MIN_VALUE;

    /** Decodes with one U+FFFD per maximal ill-formed subpart (see the class comment). */
    public static String decodeLossy(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len);
        int end = off + len;
        int i = off;
        while (i < end) {
            int n = scan(b, i, end);
            if (n > 0) {
                appendChar(b, i, n, sb);
                i += n;
            } else if (n == INCOMPLETE) {
                sb.append(REPLACEMENT); // the whole truncated tail is one maximal subpart
                break;
            } else {
                sb.append(REPLACEMENT);
                i += -n;
            }
        }
        return sb.toString();
    }

    public static String decodeLossy(byte[] b) {
        return decodeLossy(b, 0, b.length);
    }

    /**
     * SentencePiece's rule for a run of byte pieces: a complete valid character is emitted as is, anything else costs
     * exactly one byte and one U+FFFD. Its validity test (lead-byte class, trail bytes, then "code point at least the
     * minimum for its length and not a surrogate or above U+10FFFF") accepts exactly the sequences of Table 3-7.
     */
    public static String decodePerByte(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len);
        int end = off + len;
        int i = off;
        while (i < end) {
            int n = scan(b, i, end);
            if (n > 0) {
                appendChar(b, i, n, sb);
                i += n;
            } else {
                sb.append(REPLACEMENT);
                i++;
            }
        }
        return sb.toString();
    }

    static void appendChar(byte[] b, int i, int n, StringBuilder sb) {
        int b0 = b[i] & 0xFF;
        int cp = switch (n) {
            case 1 -> b0;
            case 2 -> ((b0 & 0x1F) << 6) | (b[i + 1] & 0x3F);
            case 3 -> ((b0 & 0x0F) << 12) | ((b[i + 1] & 0x3F) << 6) | (b[i + 2] & 0x3F);
            default -> ((b0 & 0x07) << 18) | ((b[i + 1] & 0x3F) << 12) | ((b[i + 2] & 0x3F) << 6) | (b[i + 3] & 0x3F);
        };
        sb.appendCodePoint(cp);
    }

    /**
     * Incremental version of {@link #decodeLossy}: bytes go in as they arrive, text comes out as soon as it is final.
     * A trailing valid-but-unfinished sequence is held back until the next bytes decide it; {@link #finish()} then
     * turns a still-unfinished tail into one U+FFFD. The concatenation of everything returned equals
     * {@code decodeLossy} of all bytes, whatever the chunking, because the maximal-subpart decision for a position
     * never depends on bytes after the point where {@link #scan} returns a definite answer.
     */
    public static final class LossyStream {
        private byte[] buf = new byte[16];
        private int len;

        /** Appends bytes and returns the text that became final. */
        public String append(byte[] b, int off, int n) {
            ensure(len + n);
            System.arraycopy(b, off, buf, len, n);
            len += n;
            return drain(false);
        }

        public String append(byte[] b) {
            return append(b, 0, b.length);
        }

        /** Everything still pending, unfinished sequences replaced; the stream is empty afterwards. */
        public String finish() {
            return drain(true);
        }

        /** Whether bytes are being held back. */
        public boolean hasPending() {
            return len > 0;
        }

        private String drain(boolean atEnd) {
            StringBuilder sb = new StringBuilder();
            int i = 0;
            while (i < len) {
                int n = scan(buf, i, len);
                if (n > 0) {
                    appendChar(buf, i, n, sb);
                    i += n;
                } else if (n == INCOMPLETE) {
                    if (!atEnd) break;
                    sb.append(REPLACEMENT);
                    i = len;
                } else {
                    sb.append(REPLACEMENT);
                    i += -n;
                }
            }
            System.arraycopy(buf, i, buf, 0, len - i);
            len -= i;
            return sb.toString();
        }

        private void ensure(int cap) {
            if (cap > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(cap, buf.length * 2));
        }
    }

    /**
     * Incremental version of {@link #decodePerByte}, for SentencePiece byte-piece runs: {@link #finish()} closes the
     * run (a non-byte piece follows, or the sequence ends), and every byte of an unfinished tail becomes a U+FFFD.
     */
    public static final class PerByteStream {
        private byte[] buf = new byte[8];
        private int len;

        public String append(int b) {
            if (len == buf.length) buf = java.util.Arrays.copyOf(buf, buf.length * 2);
            buf[len++] = (byte) b;
            return drain(false);
        }

        public String finish() {
            return drain(true);
        }

        public boolean hasPending() {
            return len > 0;
        }

        private String drain(boolean atEnd) {
            StringBuilder sb = new StringBuilder();
            int i = 0;
            while (i < len) {
                int n = scan(buf, i, len);
                if (n > 0) {
                    appendChar(buf, i, n, sb);
                    i += n;
                } else if (n == INCOMPLETE && !atEnd) {
                    break;
                } else {
                    sb.append(REPLACEMENT);
                    i++;
                }
            }
            System.arraycopy(buf, i, buf, 0, len - i);
            len -= i;
            return sb.toString();
        }
    }
}
