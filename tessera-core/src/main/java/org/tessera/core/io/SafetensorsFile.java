package org.tessera.core.io;

import static org.tessera.core.io.SafetensorsException.quote;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tessera.core.DType;
import org.tessera.core.tensor.Tensor;

/**
 * A memory-mapped, validated safetensors file. Tensors are zero-copy views of the mapping, so opening a
 * multi-gigabyte checkpoint costs only its header; the data is paged in as kernels touch it.
 *
 * <p>Format: 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the data buffer. The JSON object
 * maps each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the
 * data buffer) and may hold {@code "__metadata__"}, a string-to-string map.
 *
 * <p>Validation follows the reference implementation (huggingface/safetensors, {@code SafeTensors::read_metadata})
 * so that a file is accepted here exactly when the reference reader accepts it, except where noted:
 * <ul>
 *   <li>N ≤ 100,000,000 and 8 + N ≤ file size;</li>
 *   <li>the header is valid UTF-8 and one JSON object, nothing after it but whitespace (the reference writer pads
 *       with spaces); <b>stricter:</b> duplicate keys are an error (the reference's JSON map keeps the last);</li>
 *   <li>{@code __metadata__} is absent, null or an object of strings;</li>
 *   <li>every other entry is an object with a dtype string, a shape array of integers ≥ 0 and data_offsets, two
 *       integers ≥ 0 with begin ≤ end; other keys are ignored, as the reference does; <b>stricter:</b> the dtype
 *       must be one tessera supports ({@link DType}), and reference dtypes it lacks (FP8, unsigned 16–64 bit) are
 *       reported as unsupported rather than unknown;</li>
 *   <li>shape product × dtype size is computed with overflow checks and must equal end − begin;</li>
 *   <li>sorted by offset, the tensors must tile the data buffer exactly: the first starts at 0, each starts where
 *       the previous ends (no overlap, no hole) and the last ends at the end of the file (no trailing bytes). The
 *       reference requires this full coverage too; the messages here say which tensors overlap or where the hole
 *       is.</li>
 * </ul>
 * Because the header is checked against the file size before anything is mapped, no tensor view can reach outside
 * the mapping. (If another process truncates the file while it is mapped, the OS may still fault on access; no
 * reader of mapped files can prevent that.)
 *
 * <p>Thread-safe for reading. {@link #close()} unmaps; afterwards every tensor obtained from this file throws
 * {@link IllegalStateException} on access instead of touching unmapped memory.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The reference implementation's header limit ("100 MB", decimal). */
    public static final long MAX_HEADER_SIZE = 100_000_000L;
    /** The key of the free-form string map in the header. */
    public static final String METADATA_KEY = "__metadata__";

    /** Dtypes the format defines (reference implementation) that tessera has no {@link DType} for. */
    private static final Set<String> OTHER_FORMAT_DTYPES = Set.of(
            "U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64");

    /** Where one tensor lives and what it is. {@code begin}/{@code end} are relative to the data buffer. */
    public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
        public TensorInfo {
            shape = shape.clone();
        }

        @Override
        public long[] shape() { return shape.clone(); }

        public long byteSize() { return end - begin; }

        public long elementCount() { return Tensor.elementCount(shape); }

        @Override
        public boolean equals(Object o) {
            return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                    && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return name + " " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
        }
    }

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final long dataStart;
    private final long headerSize;
    private final Map<String, TensorInfo> tensors;   // ordered by data offset
    private final Map<String, String> metadata;      // header order
    private volatile boolean closed;

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapping, long headerSize,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.headerSize = headerSize;
        this.dataStart = 8 + headerSize;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Opens, validates and maps {@code path}.
     *
     * @throws SafetensorsException if the file cannot be read or breaks any rule in the class description
     */
    public static SafetensorsFile open(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw new SafetensorsException(path, null, "file is " + fileSize
                        + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, path);
            long n = lenBuf.getLong(0);
            // As an unsigned 64-bit number a negative long is above 2^63: too large as well.
            if (n < 0 || n > MAX_HEADER_SIZE) {
                throw new SafetensorsException(path, null, "header length " + Long.toUnsignedString(n)
                        + " exceeds the " + MAX_HEADER_SIZE + "-byte limit (corrupt or not a safetensors file)");
            }
            if (n > fileSize - 8) {
                throw new SafetensorsException(path, null, "header length " + n + " runs past the end of the file ("
                        + fileSize + " bytes): file truncated?");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
            readFully(ch, headerBuf, 8, path);
            long dataSize = fileSize - 8 - n;
            Header header = parseHeader(path, headerBuf.array(), dataSize);

            // Only now, with every offset checked against the file size, is the file mapped.
            Arena arena = Arena.ofShared();
            try {
                MemorySegment mapping = ch.map(FileChannel.MapMode.READ_ONLY, 0, fileSize, arena);
                return new SafetensorsFile(path, arena, mapping, n, header.tensors, header.metadata);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new SafetensorsException(path, null, "no such file", e);
        } catch (IOException e) {
            throw new SafetensorsException(path, null, "cannot read: " + e, e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path path) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw new SafetensorsException(path, null, "file shrank while being read");
            pos += r;
        }
    }

    record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata) {}

    /**
     * Parses and validates a header against a data buffer of {@code dataSize} bytes. Package-private so the
     * writer can check its own headers by the same rules.
     */
    static Header parseHeader(Path path, byte[] headerBytes, long dataSize) {
        String text;
        try {
            text = Json.decodeUtf8(headerBytes);
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(path, null, "header is not valid UTF-8", e);
        }
        JsonNode root;
        try {
            root = Json.STRICT.readTree(text);
        } catch (JacksonException e) {
            throw jsonError(path, e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(path, null, "header must be a JSON object, found "
                    + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }

        Map<String, String> metadata = Map.of();
        List<TensorInfo> list = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(path, e.getValue());
            } else {
                list.add(parseEntry(path, e.getKey(), e.getValue(), dataSize));
            }
        }

        // Order by (begin, end): zero-byte tensors sharing an offset with the next tensor sort before it, so the
        // tiling walk below accepts them, as the reference does. Ties fall back to name for a stable order.
        list.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end)
                .thenComparing(TensorInfo::name));
        long expected = 0;
        TensorInfo previous = null;
        for (TensorInfo t : list) {
            if (t.begin() < expected) {
                throw new SafetensorsException(path, t.name(), "data_offsets [" + t.begin() + ", " + t.end()
                        + "] overlap tensor " + quote(previous.name()) + " at [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (t.begin() > expected) {
                throw new SafetensorsException(path, t.name(), "data bytes [" + expected + ", " + t.begin()
                        + ") before it belong to no tensor; the format requires tensors to cover the data buffer without holes");
            }
            expected = t.end();
            previous = t;
        }
        if (expected != dataSize) {
            throw new SafetensorsException(path, null, (dataSize - expected) + " byte(s) after the last tensor's data"
                    + " (data buffer is " + dataSize + " bytes, tensors cover " + expected + ")");
        }

        Map<String, TensorInfo> byOffset = new LinkedHashMap<>();
        for (TensorInfo t : list) byOffset.put(t.name(), t);
        return new Header(Collections.unmodifiableMap(byOffset), metadata);
    }

    private static Map<String, String> parseMetadata(Path path, JsonNode node) {
        if (node.isNull()) return Map.of();   // the reference reads a null map as "no metadata"
        if (!node.isObject()) {
            throw new SafetensorsException(path, null, METADATA_KEY + " must be an object of strings, found "
                    + node.getNodeType().toString().toLowerCase());
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new SafetensorsException(path, null, METADATA_KEY + " value for key " + quote(e.getKey())
                        + " must be a string, found " + e.getValue().getNodeType().toString().toLowerCase());
            }
            m.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(m);
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode node, long dataSize) {
        if (!node.isObject()) {
            throw new SafetensorsException(path, name, "entry must be an object with dtype, shape and data_offsets");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafetensorsException(path, name, "missing or non-string \"dtype\"");
        }
        String dtypeName = dtypeNode.textValue();
        DType dtype = DType.fromSafetensorsName(dtypeName);
        if (dtype == null) {
            throw new SafetensorsException(path, name, OTHER_FORMAT_DTYPES.contains(dtypeName)
                    ? "dtype " + quote(dtypeName) + " is not supported by tessera"
                    : "unknown dtype " + quote(dtypeName));
        }

        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new SafetensorsException(path, name, "missing or non-array \"shape\"");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(path, name, "shape[" + i + "]", shapeNode.get(i));
        }

        JsonNode offNode = node.get("data_offsets");
        if (offNode == null || !offNode.isArray() || offNode.size() != 2) {
            throw new SafetensorsException(path, name, "\"data_offsets\" must be an array [begin, end]");
        }
        long begin = nonNegativeLong(path, name, "data_offsets[0]", offNode.get(0));
        long end = nonNegativeLong(path, name, "data_offsets[1]", offNode.get(1));
        if (begin > end) {
            throw new SafetensorsException(path, name, "data_offsets [" + begin + ", " + end + "] begin after end");
        }

        long bytes;
        try {
            bytes = Math.multiplyExact(Tensor.elementCount(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsException(path, name, "shape " + Arrays.toString(shape) + " × " + dtype.byteSize()
                    + " bytes overflows a 64-bit size");
        }
        if (end - begin != bytes) {
            throw new SafetensorsException(path, name, "data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
                    + " bytes but " + dtype + " " + Arrays.toString(shape) + " needs " + bytes);
        }
        if (end > dataSize) {
            throw new SafetensorsException(path, name, "data_offsets [" + begin + ", " + end
                    + "] run past the end of the data buffer (" + dataSize + " bytes): file truncated?");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long nonNegativeLong(Path path, String name, String what, JsonNode v) {
        // Integral JSON numbers only: 2.0 or 1e3 are refused, as the reference's unsigned-integer fields do.
        if (v == null || !v.isIntegralNumber()) {
            throw new SafetensorsException(path, name, what + " must be a non-negative integer, found "
                    + (v == null ? "nothing" : v.toString()));
        }
        if (!v.canConvertToLong() || v.longValue() < 0) {
            throw new SafetensorsException(path, name, what + " = " + v + " is out of range (0 to 2^63-1)");
        }
        return v.longValue();
    }

    /** Turns Jackson's parse errors into messages about the header (duplicate names get the tensor named). */
    private static SafetensorsException jsonError(Path path, JacksonException e) {
        // Jackson's text mentions a redacted source ("[Source: REDACTED (...); line: 1, column: 9]"); keep the position.
        String msg = firstLine(e.getOriginalMessage())
                .replaceAll("\\[Source: [^;\\]]*; line: (\\d+), column: (\\d+)]", "line $1, column $2");
        String at = e.getLocation() == null ? "" : " (at character " + e.getLocation().getCharOffset() + ")";
        if (msg.startsWith("Duplicate field") && e instanceof StreamReadException sre
                && sre.getProcessor() instanceof JsonParser p) {
            // The parser is positioned in the object that has the key twice.
            JsonStreamContext ctx = p.getParsingContext();
            String key = ctx.getCurrentName();
            JsonStreamContext parent = ctx.getParent();
            if (parent == null || parent.inRoot()) {
                return new SafetensorsException(path, key, "named twice in the header", e);
            }
            if (METADATA_KEY.equals(parent.getCurrentName()) && parent.getParent() != null && parent.getParent().inRoot()) {
                return new SafetensorsException(path, null, METADATA_KEY + " has key " + quote(key) + " twice", e);
            }
            return new SafetensorsException(path, parent.getCurrentName(), "key " + quote(key) + " appears twice in its entry", e);
        }
        if (msg.startsWith("Trailing token")) {
            return new SafetensorsException(path, null, "header has more after its JSON object" + at, e);
        }
        return new SafetensorsException(path, null, "header is not valid JSON: " + msg + at, e);
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    // ---------------------------------------------------------------- access

    public Path path() { return path; }

    /** Tensor names in data-offset order. */
    public List<String> names() { return List.copyOf(tensors.keySet()); }

    public boolean contains(String name) { return tensors.containsKey(name); }

    /** Number of tensors. */
    public int size() { return tensors.size(); }

    /** Dtype, shape and offsets of a tensor; {@link SafetensorsException} if there is none of that name. */
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new SafetensorsException(path, name, "no such tensor (the file has " + tensors.size() + ")");
        }
        return t;
    }

    /** All tensor infos in data-offset order. */
    public List<TensorInfo> infos() { return List.copyOf(tensors.values()); }

    /**
     * A zero-copy, read-only view of a tensor's data in the mapping. Valid until {@link #close()}; use
     * {@link Tensor#copy()} to keep data beyond that.
     */
    public Tensor tensor(String name) {
        TensorInfo t = info(name);
        ensureOpen();
        return Tensor.view(t.dtype(), mapping, dataStart + t.begin(), t.shape);
    }

    /** The {@code __metadata__} map in header order; empty when the file has none. */
    public Map<String, String> metadata() { return metadata; }

    /** Byte length N of the JSON header (the data buffer starts at file offset 8 + N). */
    public long headerSize() { return headerSize; }

    /** File offset of the data buffer. */
    public long dataStart() { return dataStart; }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException(path + " is closed");
    }

    /** Unmaps the file. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}
