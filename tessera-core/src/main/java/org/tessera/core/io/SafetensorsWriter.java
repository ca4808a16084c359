package org.tessera.core.io;

import static org.tessera.core.io.SafetensorsException.quote;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.tessera.core.DType;
import org.tessera.core.tensor.Tensor;

/**
 * Writes a safetensors file tensor by tensor, so memory stays near the size of one tensor however large the
 * file. The header comes first in the file and holds every tensor's offsets, so all tensors are declared up
 * front with a {@link Builder}; then each is written once, in any order, from a {@link Tensor}, a float[]
 * (converted to the declared dtype) or raw bytes.
 *
 * <pre>{@code
 * try (var w = SafetensorsWriter.builder(path).metadata("format", "pt")
 *         .add("a", DType.BF16, 2, 3).add("b", DType.F32, 4).open()) {
 *     w.writeFloats("a", aValues);
 *     w.write("b", bTensor);
 * }
 * }</pre>
 *
 * <p>Everything goes to a hidden temporary file in the target's directory, which {@link #close()} renames onto the
 * target atomically only once every tensor is written and synced: a crash, an exception or a missing tensor never
 * leaves a partial file at the target (an existing target stays intact; at worst a {@code .*.partial} file is left
 * behind after a crash).
 *
 * <p>Layout, as the reference writer (huggingface/safetensors {@code serialize_to_file}) does it: tensors are placed
 * by decreasing element size (stable, so declaration order within a size), which keeps every tensor aligned to its
 * element size given the 8-byte-aligned data start; the header is compact JSON with {@code __metadata__} first and
 * the tensors in data order, padded with spaces to a multiple of 8 bytes. The result passes {@link SafetensorsFile}'s
 * (the reference's) validation, which {@link Builder#open()} checks on the header before writing anything.
 *
 * <p>Not thread-safe: write from one thread.
 */
public final class SafetensorsWriter implements AutoCloseable {
    /** Conversion and copying go through a staging buffer of this many bytes. */
    private static final int CHUNK = 1 << 20;

    /** Declares the tensors and metadata of a file to write. */
    public static final class Builder {
        private final Path target;
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private final Map<String, Decl> decls = new LinkedHashMap<>();

        private Builder(Path target) {
            this.target = target;
        }

        /** Adds one {@code __metadata__} entry (Hugging Face files carry {@code "format": "pt"}). */
        public Builder metadata(String key, String value) {
            if (key == null || value == null) throw new IllegalArgumentException("metadata key and value must not be null");
            requireEncodable("metadata key", key);
            requireEncodable("metadata value", value);
            metadata.put(key, value);
            return this;
        }

        public Builder metadata(Map<String, String> entries) {
            entries.forEach(this::metadata);
            return this;
        }

        /** Declares a tensor. Names must be unique and not {@code __metadata__}. */
        public Builder add(String name, DType dtype, long... shape) {
            if (name == null) throw new IllegalArgumentException("tensor name must not be null");
            if (name.equals(SafetensorsFile.METADATA_KEY)) {
                throw new IllegalArgumentException(quote(name) + " is reserved for the metadata map");
            }
            if (decls.containsKey(name)) throw new IllegalArgumentException("tensor " + quote(name) + " declared twice");
            requireEncodable("tensor name", name);
            long bytes = Math.multiplyExact(Tensor.elementCount(shape), (long) dtype.byteSize());
            decls.put(name, new Decl(name, dtype, shape.clone(), bytes));
            return this;
        }

        /** Declares a tensor with the dtype and shape of {@code like}. */
        public Builder add(String name, Tensor like) {
            return add(name, like.dtype(), like.shape());
        }

        /** Creates the temporary file and writes the header; tensors follow through the returned writer. */
        public SafetensorsWriter open() {
            return new SafetensorsWriter(target, metadata, new ArrayList<>(decls.values()));
        }
    }

    /** The header is UTF-8: a string with an unpaired surrogate has no encoding and would corrupt it. */
    private static void requireEncodable(String what, String s) {
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(s)) {
            throw new IllegalArgumentException(what + " " + quote(s) + " is not valid Unicode (unpaired surrogate)");
        }
    }

    private static final class Decl {
        final String name;
        final DType dtype;
        final long[] shape;
        final long bytes;
        long begin;
        boolean written;

        Decl(String name, DType dtype, long[] shape, long bytes) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            this.bytes = bytes;
        }
    }

    public static Builder builder(Path target) {
        return new Builder(target);
    }

    /** Writes a whole map of tensors (in map order within each element size) with optional metadata. */
    public static void writeAll(Path target, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Builder b = builder(target).metadata(metadata);
        tensors.forEach(b::add);
        try (SafetensorsWriter w = b.open()) {
            tensors.forEach(w::write);
        }
    }

    private final Path target;
    private final Path temp;
    private final Map<String, Decl> decls = new LinkedHashMap<>();
    private final long dataStart;
    private final MemorySegment staging;
    private final ByteBuffer stagingBuffer;
    private FileChannel channel;
    private boolean failed;
    private boolean closed;

    private SafetensorsWriter(Path target, Map<String, String> metadata, List<Decl> declared) {
        this.target = target;
        // Decreasing element size keeps each tensor aligned to its own element size; the sort is stable.
        // Fresh copies: a Builder may open several writers, and each tracks its own offsets and progress.
        List<Decl> ordered = new ArrayList<>();
        for (Decl d : declared) ordered.add(new Decl(d.name, d.dtype, d.shape, d.bytes));
        ordered.sort((a, b) -> Integer.compare(b.dtype.byteSize(), a.dtype.byteSize()));
        long offset = 0;
        for (Decl d : ordered) {
            d.begin = offset;
            offset = Math.addExact(offset, d.bytes);
            decls.put(d.name, d);
        }
        long dataSize = offset;

        byte[] header = headerBytes(metadata, ordered);
        if (header.length > SafetensorsFile.MAX_HEADER_SIZE) {
            throw new SafetensorsException(target, null, "header would be " + header.length + " bytes, over the "
                    + SafetensorsFile.MAX_HEADER_SIZE + "-byte limit readers enforce");
        }
        // Check our own header by the reader's rules, so a writer bug cannot produce a file readers refuse.
        SafetensorsFile.parseHeader(target, header, dataSize);
        this.dataStart = 8L + header.length;

        Path dir = target.toAbsolutePath().getParent();
        String base = target.getFileName().toString();
        this.temp = dir.resolve("." + base + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".partial");
        // A direct buffer (freed by the GC, not tied to a thread like a confined arena) that the channel writes
        // without an extra copy, seen as a segment for the conversions.
        this.stagingBuffer = ByteBuffer.allocateDirect(CHUNK);
        this.staging = MemorySegment.ofBuffer(stagingBuffer);
        try {
            // CREATE_NEW (not createTempFile) so the final file gets the usual umask permissions, not 0600.
            channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(prefix, 0);
            writeFully(ByteBuffer.wrap(header), 8);
            // No pre-sizing needed: tensors tile the data buffer, so once all are written the file ends exactly at
            // the last non-empty tensor's end, which is the data size.
        } catch (IOException e) {
            failed = true;
            cleanUp();
            throw new SafetensorsException(target, null, "cannot create " + temp + ": " + e, e);
        }
    }

    /** Compact JSON like the reference: metadata first, tensors in data order, padded with spaces to 8 bytes. */
    private static byte[] headerBytes(Map<String, String> metadata, List<Decl> ordered) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = Json.STRICT.getFactory().createGenerator(out)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(SafetensorsFile.METADATA_KEY);
                for (Map.Entry<String, String> e : metadata.entrySet()) g.writeStringField(e.getKey(), e.getValue());
                g.writeEndObject();
            }
            for (Decl d : ordered) {
                g.writeObjectFieldStart(d.name);
                g.writeStringField("dtype", d.dtype.safetensorsName());
                g.writeArrayFieldStart("shape");
                for (long s : d.shape) g.writeNumber(s);
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(d.begin);
                g.writeNumber(d.begin + d.bytes);
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory cannot fail", e);
        }
        int len = out.size();
        int padded = (len + 7) & ~7;
        for (int i = len; i < padded; i++) out.write(' ');
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- writing tensors

    /**
     * Writes a declared tensor from {@code t}. Same dtype: its bytes are copied. Different dtype: allowed between
     * floating types (F32/F16/BF16/F64), converting with round to nearest even. The shape must equal the declared one.
     */
    public void write(String name, Tensor t) {
        Decl d = next(name);
        if (!Arrays.equals(t.shape(), d.shape)) {
            throw fail(name, "shape " + Arrays.toString(t.shape()) + " differs from the declared " + Arrays.toString(d.shape));
        }
        if (t.dtype() == d.dtype) {
            copySegment(d, t.segment());
        } else if (Tensor.isFloating(t.dtype()) && Tensor.isFloating(d.dtype)) {
            convert(d, t);
        } else {
            throw fail(name, "is declared " + d.dtype + "; cannot convert a " + t.dtype() + " tensor to it");
        }
    }

    /** Writes a declared floating-point tensor from floats, converting to its dtype (round to nearest even). */
    public void writeFloats(String name, float[] data) {
        Decl d = next(name);
        if (!Tensor.isFloating(d.dtype)) throw fail(name, "is declared " + d.dtype + "; floats only go to floating dtypes");
        if (data.length != Tensor.elementCount(d.shape)) {
            throw fail(name, data.length + " floats given, shape " + Arrays.toString(d.shape) + " needs "
                    + Tensor.elementCount(d.shape));
        }
        int size = d.dtype.byteSize();
        int per = CHUNK / size;
        long at = dataStart + d.begin;
        for (int i = 0; i < data.length; i += per) {
            int n = Math.min(per, data.length - i);
            Tensor.encodeFloats(data, i, n, d.dtype, staging, 0);
            flushStaging((long) n * size, at);
            at += (long) n * size;
        }
        d.written = true;
    }

    /**
     * Values produced piecewise for {@link #writeFloats(String, FloatSource)}: fill {@code buf[0 .. n)} with the
     * tensor's elements {@code start .. start + n} (row-major). Called with increasing, contiguous ranges.
     */
    @FunctionalInterface
    public interface FloatSource {
        void fill(long start, float[] buf, int n);
    }

    /**
     * Writes a declared floating-point tensor whose values {@code source} produces chunk by chunk, converting to its
     * dtype (round to nearest even): memory stays at one staging chunk however large the tensor (a generated
     * 100 M-element embedding needs no 400 MB array).
     */
    public void writeFloats(String name, FloatSource source) {
        Decl d = next(name);
        if (!Tensor.isFloating(d.dtype)) throw fail(name, "is declared " + d.dtype + "; floats only go to floating dtypes");
        int size = d.dtype.byteSize();
        long count = Tensor.elementCount(d.shape);
        float[] buf = new float[(int) Math.min(CHUNK / size, Math.max(1, count))];
        long at = dataStart + d.begin;
        for (long i = 0; i < count; i += buf.length) {
            int n = (int) Math.min(buf.length, count - i);
            source.fill(i, buf, n);
            Tensor.encodeFloats(buf, 0, n, d.dtype, staging, 0);
            flushStaging((long) n * size, at);
            at += (long) n * size;
        }
        d.written = true;
    }

    /** Writes a declared tensor from raw little-endian bytes; the segment must be exactly its size. */
    public void write(String name, MemorySegment bytes) {
        Decl d = next(name);
        if (bytes.byteSize() != d.bytes) {
            throw fail(name, bytes.byteSize() + " bytes given, " + d.dtype + " " + Arrays.toString(d.shape)
                    + " needs " + d.bytes);
        }
        copySegment(d, bytes);
    }

    private void copySegment(Decl d, MemorySegment src) {
        // Staged because heap segments over float[]/long[] cannot become ByteBuffers for the channel.
        long at = dataStart + d.begin;
        for (long pos = 0; pos < d.bytes; pos += CHUNK) {
            long n = Math.min(CHUNK, d.bytes - pos);
            MemorySegment.copy(src, pos, staging, 0, n);
            flushStaging(n, at + pos);
        }
        d.written = true;
    }

    private void convert(Decl d, Tensor t) {
        int inSize = t.dtype().byteSize();
        int outSize = d.dtype.byteSize();
        int per = CHUNK / Math.max(inSize, outSize) / 2;
        float[] buf = new float[(int) Math.min(per, Math.max(1, t.elementCount()))];
        long count = t.elementCount();
        long at = dataStart + d.begin;
        for (long i = 0; i < count; i += buf.length) {
            int n = (int) Math.min(buf.length, count - i);
            Tensor.decodeFloats(t.storage(), t.offset() + i * inSize, t.dtype(), buf, 0, n);
            Tensor.encodeFloats(buf, 0, n, d.dtype, staging, 0);
            flushStaging((long) n * outSize, at);
            at += (long) n * outSize;
        }
        d.written = true;
    }

    private void flushStaging(long n, long filePos) {
        stagingBuffer.clear().limit((int) n);
        try {
            writeFully(stagingBuffer, filePos);
        } catch (IOException e) {
            failed = true;
            throw new SafetensorsException(target, null, "write failed: " + e, e);
        }
    }

    private void writeFully(ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) pos += channel.write(buf, pos);
    }

    private Decl next(String name) {
        if (closed) throw new IllegalStateException("writer for " + target + " is closed");
        if (failed) throw new IllegalStateException("writer for " + target + " failed earlier; nothing more is written");
        Decl d = decls.get(name);
        if (d == null) throw new SafetensorsException(target, name, "was not declared");
        if (d.written) throw new SafetensorsException(target, name, "written twice");
        return d;
    }

    private SafetensorsException fail(String name, String problem) {
        return new SafetensorsException(target, name, problem);
    }

    /** True when every declared tensor has been written. */
    public boolean isComplete() {
        return decls.values().stream().allMatch(d -> d.written);
    }

    /** Gives up: deletes the temporary file; the target is left as it was. Idempotent. */
    public void abort() {
        if (closed) return;
        closed = true;
        cleanUp();
    }

    /**
     * Finishes: if every tensor was written, syncs and atomically renames the file onto the target. Otherwise (or
     * after a failed write) deletes the temporary file, leaves the target untouched and throws.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        List<String> missing = decls.values().stream().filter(d -> !d.written).map(d -> d.name).toList();
        if (failed || !missing.isEmpty()) {
            cleanUp();
            if (failed) throw new SafetensorsException(target, null, "not written: an earlier write failed; target left untouched");
            throw new SafetensorsException(target, null, "not written: " + missing.size() + " of " + decls.size()
                    + " declared tensors were never written (first " + quote(missing.get(0)) + "); target left untouched");
        }
        try {
            channel.force(true);
            channel.close();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            cleanUp();
            throw new SafetensorsException(target, null, "the file system cannot rename atomically; nothing written", e);
        } catch (IOException e) {
            cleanUp();
            throw new SafetensorsException(target, null, "cannot finish writing: " + e, e);
        }
        syncDirectory(temp.getParent());
    }

    private void cleanUp() {
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // the file is deleted next; a failing close changes nothing
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // best effort: a leftover hidden .partial file is harmless, the target was never touched
        }
    }

    /**
     * Makes the rename itself durable (POSIX: the directory entry lives in the directory). Best effort: some
     * platforms cannot open a directory as a channel, and the data is already synced.
     */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not supported here (e.g. Windows); the file's own data was forced before the rename
        }
    }
}
