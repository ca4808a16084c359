package org.tessera.core.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.tessera.core.DType;
import org.tessera.core.tensor.Tensor;

/**
 * Reads and writes NumPy {@code .npy} files: the reference activations, inputs and outputs that tests and
 * debugging tools exchange with Python.
 *
 * <p>Reading accepts format versions 1.0, 2.0 and 3.0; dtypes float32/16/64, int64/32/16/8, uint8 and bool,
 * little-endian or big-endian (converted to little-endian on read); C order only. The header must be the dict
 * NumPy writes, with exactly the keys descr, fortran_order and shape, and the data must be exactly shape × item
 * size bytes. Anything else is an {@link NpyException} naming the file.
 *
 * <p>Writing produces byte for byte what {@code numpy.save} (1.24) writes for the same array: the header dict with
 * sorted keys, NumPy's spare space for growing the first axis, padding so the data starts on a 64-byte boundary,
 * version 1.0 unless the header is too long for its 16-bit length field (then 2.0). Files are written to a
 * temporary name and renamed into place, so a failed write leaves no partial file.
 */
public final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy aligns the data start to this. */
    private static final int ARRAY_ALIGN = 64;
    /** NumPy pads the header so the first axis can grow to this many digits in place. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** Far above any real header (NumPy's own default cap is 10,000 chars); bounds memory on a corrupt length. */
    private static final long MAX_HEADER = 1 << 20;
    private static final int CHUNK = 1 << 20;

    /** Float data with its shape, row-major. */
    public record Floats(int[] shape, float[] data) {
        public Floats {
            shape = shape.clone();
        }

        @Override
        public int[] shape() { return shape.clone(); }
    }

    /** Integer data with its shape, row-major. */
    public record Longs(int[] shape, long[] data) {
        public Longs {
            shape = shape.clone();
        }

        @Override
        public int[] shape() { return shape.clone(); }
    }

    // ---------------------------------------------------------------- reading

    /** Reads a whole .npy file into a heap tensor (little-endian, whatever the file's byte order). */
    public static Tensor read(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            int avail = (int) Math.min(12, fileSize);
            readFully(ch, pre, 0, avail, path, "magic");
            for (int i = 0; i < Math.min(MAGIC.length, avail); i++) {
                if (pre.get(i) != MAGIC[i]) throw new NpyException(path, "not a .npy file (bad magic)");
            }
            if (avail < 10) throw new NpyException(path, "truncated: " + fileSize + " bytes is too short for a .npy file");
            int major = pre.get(6) & 0xFF;
            int minor = pre.get(7) & 0xFF;
            if ((major != 1 && major != 2 && major != 3) || minor != 0) {
                throw new NpyException(path, "unsupported .npy format version " + major + "." + minor
                        + " (1.0, 2.0 and 3.0 are known)");
            }
            int lenBytes = major == 1 ? 2 : 4;
            if (fileSize < 8 + lenBytes) throw new NpyException(path, "truncated in the header length");
            long headerLen = major == 1 ? pre.getShort(8) & 0xFFFFL : pre.getInt(8) & 0xFFFF_FFFFL;
            long headerStart = 8 + lenBytes;
            if (headerLen > MAX_HEADER) {
                throw new NpyException(path, "header length " + headerLen + " is implausibly large (corrupt file)");
            }
            if (headerStart + headerLen > fileSize) {
                throw new NpyException(path, "truncated: header of " + headerLen + " bytes runs past the end of the "
                        + fileSize + "-byte file");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, headerStart, headerLen, path, "header");
            String header = decodeHeader(path, hb.array(), major);
            Spec spec = parseSpec(path, header);

            long dataStart = headerStart + headerLen;
            long expected;
            try {
                expected = Math.multiplyExact(Tensor.elementCount(spec.shape), (long) spec.dtype.byteSize());
            } catch (ArithmeticException e) {
                throw new NpyException(path, "shape " + Arrays.toString(spec.shape) + " overflows a 64-bit size");
            }
            long actual = fileSize - dataStart;
            if (actual != expected) {
                throw new NpyException(path, "shape " + Arrays.toString(spec.shape) + " of " + spec.descr + " needs "
                        + expected + " data bytes, the file has " + actual + (actual < expected ? " (truncated)" : ""));
            }

            Tensor t = Tensor.allocate(spec.dtype, spec.shape);
            MemorySegment dst = t.segment();
            ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(CHUNK, Math.max(1, expected)));
            MemorySegment bufSeg = MemorySegment.ofBuffer(buf);
            for (long pos = 0; pos < expected; ) {
                int n = (int) Math.min(buf.capacity(), expected - pos);
                buf.clear().limit(n);
                readFully(ch, buf, dataStart + pos, n, path, "data");
                MemorySegment.copy(bufSeg, 0, dst, pos, n);
                pos += n;
            }
            if (spec.bigEndian) swapToLittleEndian(dst, spec.dtype.byteSize());
            return t;
        } catch (NoSuchFileException e) {
            throw new NpyException(path, "no such file", e);
        } catch (IOException e) {
            throw new NpyException(path, "cannot read: " + e, e);
        }
    }

    /**
     * Reads any supported dtype as floats (float16 widens exactly; float64 and large integers round to float).
     * Fails if the array is too large for a Java array.
     */
    public static Floats readFloats(Path path) {
        Tensor t = read(path);
        return new Floats(intShape(path, t), t.toFloatArray());
    }

    /** Reads an integer or bool array as longs; floating-point files are refused rather than truncated. */
    public static Longs readLongs(Path path) {
        Tensor t = read(path);
        if (Tensor.isFloating(t.dtype())) {
            throw new NpyException(path, "holds " + t.dtype() + " data, not integers (use readFloats)");
        }
        return new Longs(intShape(path, t), t.toLongArray());
    }

    private static int[] intShape(Path path, Tensor t) {
        if (t.elementCount() > Integer.MAX_VALUE - 8) {
            throw new NpyException(path, t.elementCount() + " elements do not fit in a Java array; use read()");
        }
        return t.intShape();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, long want, Path path, String what)
            throws IOException {
        long pos = position;
        long end = position + want;
        while (pos < end) {
            int r = ch.read(buf, pos);
            if (r < 0) throw new NpyException(path, "truncated in the " + what);
            pos += r;
        }
    }

    private static String decodeHeader(Path path, byte[] bytes, int major) {
        if (major < 3) return new String(bytes, StandardCharsets.ISO_8859_1);   // 1.0 and 2.0 are latin1
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new NpyException(path, "version 3.0 header is not valid UTF-8", e);
        }
    }

    private record Spec(String descr, DType dtype, boolean bigEndian, long[] shape) {}

    private static Spec parseSpec(Path path, String header) {
        Object parsed;
        try {
            PyLiteral p = new PyLiteral(header);
            parsed = p.value();
            p.end();
        } catch (IllegalArgumentException e) {
            throw new NpyException(path, "cannot parse header " + abbreviate(header) + ": " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> dict)) {
            throw new NpyException(path, "header is not a dictionary: " + abbreviate(header));
        }
        if (!dict.keySet().equals(Set.of("descr", "fortran_order", "shape"))) {
            throw new NpyException(path, "header keys must be exactly descr, fortran_order and shape, found " + dict.keySet());
        }
        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean f)) {
            throw new NpyException(path, "fortran_order is not a bool: " + fortran);
        }
        if (f) throw new NpyException(path, "fortran_order True is not supported (C order only; save with np.ascontiguousarray)");
        Object shapeObj = dict.get("shape");
        if (!(shapeObj instanceof PyLiteral.Tuple(List<Object> items))) {
            throw new NpyException(path, "shape is not a tuple: " + shapeObj);
        }
        long[] shape = new long[items.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(items.get(i) instanceof Long d) || d < 0) {
                throw new NpyException(path, "shape entry " + items.get(i) + " is not a non-negative integer");
            }
            shape[i] = d;
        }
        Object descrObj = dict.get("descr");
        if (!(descrObj instanceof String descr)) {
            throw new NpyException(path, "descr " + descrObj + " is a structured dtype; only plain numeric dtypes are supported");
        }
        if (descr.length() < 2) throw new NpyException(path, "unsupported dtype descr '" + descr + "'");
        char order = descr.charAt(0);
        String code = "<>|=".indexOf(order) >= 0 ? descr.substring(1) : descr;
        DType dtype = switch (code) {
            case "f4" -> DType.F32;
            case "f2" -> DType.F16;
            case "f8" -> DType.F64;
            case "i8" -> DType.I64;
            case "i4" -> DType.I32;
            case "i2" -> DType.I16;
            case "i1" -> DType.I8;
            case "u1" -> DType.U8;
            case "b1" -> DType.BOOL;
            default -> throw new NpyException(path, "unsupported dtype descr '" + descr + "'");
        };
        // '=' is native order, which is little-endian on every platform the JDK's Vector API runs on.
        boolean bigEndian = order == '>' || (order == '=' && ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN);
        if (order == '|' && dtype.byteSize() > 1) {
            throw new NpyException(path, "dtype descr '" + descr + "' has no byte order for a multi-byte type");
        }
        return new Spec(descr, dtype, bigEndian && dtype.byteSize() > 1, shape);
    }

    private static void swapToLittleEndian(MemorySegment s, int size) {
        long n = s.byteSize() / size;
        switch (size) {
            case 2 -> {
                var be = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
                for (long i = 0; i < n; i++) s.set(Tensor.LE_SHORT, i * 2, s.get(be, i * 2));
            }
            case 4 -> {
                var be = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
                for (long i = 0; i < n; i++) s.set(Tensor.LE_INT, i * 4, s.get(be, i * 4));
            }
            case 8 -> {
                var be = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
                for (long i = 0; i < n; i++) s.set(Tensor.LE_LONG, i * 8, s.get(be, i * 8));
            }
            default -> { /* single bytes have no order */ }
        }
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() <= 200 ? t : t.substring(0, 200) + "...";
    }

    // ---------------------------------------------------------------- writing

    /** Writes a float32 array of the given shape. */
    public static void writeFloats(Path path, float[] data, int... shape) {
        write(path, Tensor.ofFloats(data, shape));
    }

    /** Writes an int64 array of the given shape. */
    public static void writeLongs(Path path, long[] data, int... shape) {
        write(path, Tensor.ofLongs(data, shape));
    }

    /** Writes an int32 array of the given shape. */
    public static void writeInts(Path path, int[] data, int... shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = shape[i];
        write(path, Tensor.ofInts(data, s));
    }

    /**
     * Writes a tensor in its own dtype (F32, F16, F64, I64, I32, I16, I8, U8 and BOOL; BF16 has no NumPy type:
     * convert it first, e.g. {@code Tensor.ofFloats(t.toFloatArray(), t.shape())}).
     */
    public static void write(Path path, Tensor t) {
        if (t.dtype().numpyDescr() == null) {
            throw new NpyException(path, "NumPy has no " + t.dtype() + " dtype; convert the tensor to F32 first");
        }
        byte[] header = header(t.dtype(), t.shape());
        Path dir = path.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + path.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".partial");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer hb = ByteBuffer.wrap(header);
                while (hb.hasRemaining()) ch.write(hb);
                MemorySegment src = t.segment();
                ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(CHUNK, Math.max(1, src.byteSize())));
                MemorySegment bufSeg = MemorySegment.ofBuffer(buf);
                for (long pos = 0; pos < src.byteSize(); ) {
                    int n = (int) Math.min(buf.capacity(), src.byteSize() - pos);
                    MemorySegment.copy(src, pos, bufSeg, 0, n);
                    buf.clear().limit(n);
                    while (buf.hasRemaining()) ch.write(buf);
                    pos += n;
                }
                ch.force(false);
            }
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            deleteQuietly(temp);
            throw new NpyException(path, "the file system cannot rename atomically; nothing written", e);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new NpyException(path, "cannot write: " + e, e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort; the target itself was never touched
        }
    }

    /**
     * The complete header (magic, version, length, padded dict) that {@code numpy.save} writes for a C-ordered
     * array of this dtype and shape; the data follows it directly.
     */
    public static byte[] header(DType dtype, long... shape) {
        String descr = dtype.numpyDescr();
        if (descr == null) throw new IllegalArgumentException("NumPy has no " + dtype + " dtype");
        StringBuilder sb = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        if (shape.length == 1) sb.append(',');   // Python's repr of a 1-tuple
        sb.append("), }");
        if (shape.length > 0) {
            sb.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length()));
        }
        byte[] dict = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        int hlen = dict.length + 1;   // + the final newline
        // Version 1.0 has a 16-bit length field; NumPy moves to 2.0 (32-bit) only when the padded header needs it.
        int padV1 = ARRAY_ALIGN - ((8 + 2 + hlen) % ARRAY_ALIGN);
        boolean v1 = hlen + padV1 <= 0xFFFF;
        int lenBytes = v1 ? 2 : 4;
        int pad = ARRAY_ALIGN - ((8 + lenBytes + hlen) % ARRAY_ALIGN);
        ByteBuffer out = ByteBuffer.allocate(8 + lenBytes + hlen + pad).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
        if (v1) out.putShort((short) (hlen + pad)); else out.putInt(hlen + pad);
        out.put(dict);
        for (int i = 0; i < pad; i++) out.put((byte) ' ');
        out.put((byte) '\n');
        return out.array();
    }

    // ---------------------------------------------------------------- header literal parser

    /**
     * Parses the subset of Python literal syntax NumPy headers use: dicts, tuples, lists, strings, integers
     * (with Python 2's {@code L} suffix, as NumPy itself tolerates in 1.0/2.0 headers), True, False and None.
     * Tuples are {@link Tuple}s, lists are {@link List}s, integers {@link Long}s.
     */
    static final class PyLiteral {
        record Tuple(List<Object> items) {}

        private final String s;
        private int i;
        private int depth;

        PyLiteral(String s) {
            this.s = s;
        }

        Object value() {
            skipSpace();
            if (i >= s.length()) throw new IllegalArgumentException("unexpected end");
            if (++depth > 32) throw new IllegalArgumentException("nested too deeply");
            try {
                char c = s.charAt(i);
                return switch (c) {
                    case '{' -> dict();
                    case '(' -> tuple();
                    case '[' -> list();
                    case '\'', '"' -> string();
                    default -> {
                        if (c == '-' || c == '+' || Character.isDigit(c)) yield integer();
                        if (Character.isLetter(c) || c == '_') yield name();
                        throw new IllegalArgumentException("unexpected '" + c + "' at " + i);
                    }
                };
            } finally {
                depth--;
            }
        }

        void end() {
            skipSpace();
            if (i != s.length()) throw new IllegalArgumentException("unexpected text after the dict at " + i);
        }

        private Map<String, Object> dict() {
            expect('{');
            Map<String, Object> m = new LinkedHashMap<>();
            while (true) {
                skipSpace();
                if (peek('}')) { i++; return m; }
                Object k = value();
                if (!(k instanceof String key)) throw new IllegalArgumentException("dict key " + k + " is not a string");
                skipSpace();
                expect(':');
                Object v = value();
                if (m.put(key, v) != null) throw new IllegalArgumentException("duplicate key '" + key + "'");
                skipSpace();
                if (peek(',')) { i++; continue; }
                skipSpace();
                expect('}');
                return m;
            }
        }

        private Object tuple() {
            expect('(');
            List<Object> items = new ArrayList<>();
            boolean comma = false;
            while (true) {
                skipSpace();
                if (peek(')')) { i++; break; }
                items.add(value());
                skipSpace();
                if (peek(',')) { i++; comma = true; continue; }
                skipSpace();
                expect(')');
                break;
            }
            // "(5)" is just 5 in Python; only a comma (or "()") makes a tuple.
            if (items.size() == 1 && !comma) return items.get(0);
            return new Tuple(List.copyOf(items));
        }

        private List<Object> list() {
            expect('[');
            List<Object> items = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek(']')) { i++; return items; }
                items.add(value());
                skipSpace();
                if (peek(',')) { i++; continue; }
                skipSpace();
                expect(']');
                return items;
            }
        }

        private String string() {
            char q = s.charAt(i++);
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (i >= s.length()) throw new IllegalArgumentException("unterminated string");
                char c = s.charAt(i++);
                if (c == q) return sb.toString();
                if (c == '\n') throw new IllegalArgumentException("newline in string");
                if (c != '\\') { sb.append(c); continue; }
                if (i >= s.length()) throw new IllegalArgumentException("unterminated string");
                char e = s.charAt(i++);
                switch (e) {
                    case '\\', '\'', '"' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case '0' -> sb.append('\0');
                    case 'x' -> sb.append((char) hex(2));
                    case 'u' -> sb.append((char) hex(4));
                    default -> throw new IllegalArgumentException("unsupported escape \\" + e);
                }
            }
        }

        private int hex(int digits) {
            if (i + digits > s.length()) throw new IllegalArgumentException("short escape");
            try {
                int v = Integer.parseInt(s.substring(i, i + digits), 16);
                i += digits;
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad escape digits");
            }
        }

        private Long integer() {
            int start = i;
            if (peek('-') || peek('+')) i++;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            String digits = s.substring(start, i);
            if (i < s.length() && (s.charAt(i) == 'L' || s.charAt(i) == 'l')) i++;
            if (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                throw new IllegalArgumentException("not an integer at " + start);
            }
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("integer '" + digits + "' out of range");
            }
        }

        private Object name() {
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
            String n = s.substring(start, i);
            return switch (n) {
                case "True" -> Boolean.TRUE;
                case "False" -> Boolean.FALSE;
                case "None" -> NONE;
                default -> throw new IllegalArgumentException("unknown name '" + n + "'");
            };
        }

        /** Python's None (a distinct object so it is never mistaken for a missing key). */
        static final Object NONE = new Object() {
            @Override
            public String toString() { return "None"; }
        };

        private void skipSpace() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) i++;
        }

        private boolean peek(char c) {
            return i < s.length() && s.charAt(i) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i
                        + (i < s.length() ? ", found '" + s.charAt(i) + "'" : ", found the end"));
            }
            i++;
        }
    }
}
