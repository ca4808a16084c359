package org.tessera.data.soup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.tessera.core.DType;
import org.tessera.core.io.Checkpoint;
import org.tessera.core.io.SafetensorsException;
import org.tessera.core.io.SafetensorsFile;
import org.tessera.core.io.SafetensorsWriter;
import org.tessera.core.tensor.Tensor;
import org.tessera.data.AtomicFiles;
import org.tessera.data.DataException;
import org.tessera.data.Jsonl;

/**
 * Uniform weight averaging of checkpoints that share an architecture, streamed tensor by tensor.
 *
 * <p>For every tensor, in chunks: each input's values are widened to f32 and summed in input order, the sum divided
 * by the number of inputs (f32 division), and the result stored in the inputs' dtype with round to nearest even
 * ({@code sum(xᵢ) / n}, as {@code torch} would compute it in float32 and cast with {@code .to(torch.bfloat16)}).
 * F64 tensors are averaged in double; integer and bool tensors must be identical in every input and are copied.
 * Memory holds one output tensor (in its own dtype) and a few small buffers, whatever the model's size.
 *
 * <p>The output mirrors the first checkpoint's layout (a single {@code model.safetensors}, or the same shards and a
 * {@code model.safetensors.index.json}) and per-file metadata, and gets copies of its other top-level files (config,
 * generation config, tokenizer, custom code), so it loads like the inputs. Checkpoints whose tensor names, shapes or
 * dtypes differ are refused, naming the first difference.
 */
public final class ModelSoup {
    /** Elements per chunk of the running sum. */
    static final int CHUNK = 1 << 16;

    /** Weight files, not copied along with the configs. */
    private static final List<String> WEIGHT_SUFFIXES = List.of(".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".npy", ".npz", ".gguf", ".h5", ".msgpack");

    private ModelSoup() {}

    /**
     * Checks that every checkpoint has the first one's tensors with the same shapes and dtypes; throws naming the
     * first difference found (in the first checkpoint's tensor order).
     */
    public static void checkCompatible(List<Path> dirs) {
        if (dirs.isEmpty()) throw new IllegalArgumentException("no checkpoints given");
        List<Checkpoint> open = openAll(dirs);
        try {
            checkCompatible(dirs, open);
        } finally {
            closeAll(open);
        }
    }

    private static void checkCompatible(List<Path> dirs, List<Checkpoint> ck) {
        Checkpoint a = ck.get(0);
        List<String> names = a.names();
        for (int k = 1; k < ck.size(); k++) {
            Checkpoint b = ck.get(k);
            Set<String> bNames = new HashSet<>(b.names());
            for (String n : names) {
                if (!bNames.contains(n)) throw new DataException(dirs.get(k) + " has no tensor \"" + n + "\", which " + dirs.get(0) + " has");
                SafetensorsFile.TensorInfo x = a.info(n), y = b.info(n);
                if (!Arrays.equals(x.shape(), y.shape())) {
                    throw new DataException("tensor \"" + n + "\" is " + Arrays.toString(x.shape()) + " in " + dirs.get(0) + " but "
                            + Arrays.toString(y.shape()) + " in " + dirs.get(k));
                }
                if (x.dtype() != y.dtype()) {
                    throw new DataException("tensor \"" + n + "\" is " + x.dtype() + " in " + dirs.get(0) + " but " + y.dtype() + " in " + dirs.get(k));
                }
            }
            if (bNames.size() != names.size()) {
                Set<String> aNames = new HashSet<>(names);
                String extra = b.names().stream().filter(n -> !aNames.contains(n)).findFirst().orElseThrow();
                throw new DataException(dirs.get(k) + " has a tensor \"" + extra + "\" that " + dirs.get(0) + " lacks");
            }
        }
    }

    /**
     * Writes the uniform average of {@code dirs} into the new directory {@code target} (which must not exist; its
     * parent must). Everything is written into a hidden sibling directory first and renamed into place at the end.
     */
    public static void average(List<Path> dirs, Path target) {
        Path temp = AtomicFiles.partialSibling(target);
        List<Checkpoint> ck = openAll(dirs);
        try {
            checkCompatible(dirs, ck);
            Files.createDirectory(temp);
            writeWeights(ck, temp);
            copyOtherFiles(dirs.get(0), temp);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the soup " + target + ": " + e.getMessage(), e);
        } finally {
            closeAll(ck);
            AtomicFiles.deleteTree(temp);
        }
    }

    private static void writeWeights(List<Checkpoint> ck, Path dir) {
        Checkpoint first = ck.get(0);
        // Tensors per output file, in the first checkpoint's order: one file, or its shards by name.
        Map<String, List<String>> byFile = new LinkedHashMap<>();
        Map<String, Map<String, String>> metadata = new LinkedHashMap<>();
        boolean sharded = first.source().getFileName().toString().endsWith(".index.json");
        for (String n : first.names()) {
            String file = sharded ? first.pathOf(n).getFileName().toString() : Checkpoint.SINGLE_FILE;
            byFile.computeIfAbsent(file, f -> new ArrayList<>()).add(n);
        }
        for (SafetensorsFile f : first.files()) {
            metadata.put(sharded ? f.path().getFileName().toString() : Checkpoint.SINGLE_FILE, f.metadata());
        }
        long total = 0;
        for (Map.Entry<String, List<String>> e : byFile.entrySet()) {
            SafetensorsWriter.Builder b = SafetensorsWriter.builder(dir.resolve(e.getKey()));
            Map<String, String> meta = metadata.getOrDefault(e.getKey(), Map.of());
            if (!meta.isEmpty()) b.metadata(meta);
            for (String n : e.getValue()) {
                SafetensorsFile.TensorInfo info = first.info(n);
                b.add(n, info.dtype(), info.shape());
                total += info.byteSize();
            }
            try (SafetensorsWriter w = b.open()) {
                for (String n : e.getValue()) w.write(n, averaged(ck, n));
            }
        }
        if (sharded) {
            ObjectNode index = JsonNodeFactory.instance.objectNode();
            index.putObject("metadata").put("total_size", total);
            ObjectNode map = index.putObject("weight_map");
            for (String n : first.names()) map.put(n, first.pathOf(n).getFileName().toString());
            Jsonl.writePretty(dir.resolve(Checkpoint.INDEX_FILE), index);
        }
    }

    /** The average of tensor {@code name} over the checkpoints, in its dtype (a new heap tensor). */
    static Tensor averaged(List<Checkpoint> ck, String name) {
        Tensor t0 = ck.get(0).tensor(name);
        DType dt = t0.dtype();
        Tensor out = Tensor.allocate(dt, t0.shape());
        long count = t0.elementCount();
        int size = dt.byteSize();
        int n = ck.size();
        if (!Tensor.isFloating(dt)) {
            for (int k = 1; k < n; k++) {
                if (!t0.contentEquals(ck.get(k).tensor(name))) {
                    throw new DataException("tensor \"" + name + "\" is " + dt + " (not averaged) and differs between the checkpoints");
                }
            }
            MemorySegment.copy(t0.segment(), 0, out.storage(), out.offset(), t0.byteSize());
            return out;
        }
        if (dt == DType.F64) {
            for (long i = 0; i < count; i++) {
                double s = 0;
                for (Checkpoint c : ck) {
                    Tensor t = c.tensor(name);
                    s += t.storage().get(Tensor.LE_DOUBLE, t.offset() + 8 * i);
                }
                out.storage().set(Tensor.LE_DOUBLE, out.offset() + 8 * i, s / n);
            }
            return out;
        }
        float[] sum = new float[(int) Math.min(CHUNK, Math.max(1, count))];
        float[] buf = new float[sum.length];
        for (long i = 0; i < count; i += sum.length) {
            int m = (int) Math.min(sum.length, count - i);
            Arrays.fill(sum, 0, m, 0f);
            for (Checkpoint c : ck) {
                Tensor t = c.tensor(name);
                Tensor.decodeFloats(t.storage(), t.offset() + i * size, dt, buf, 0, m);
                for (int j = 0; j < m; j++) sum[j] += buf[j];
            }
            for (int j = 0; j < m; j++) sum[j] /= n;
            Tensor.encodeFloats(sum, 0, m, dt, out.storage(), out.offset() + i * size);
        }
        return out;
    }

    /** Copies the first checkpoint's top-level non-weight files (configs, tokenizer, code). */
    static void copyOtherFiles(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                String lower = n.toLowerCase(Locale.ROOT);
                if (!Files.isRegularFile(p) || n.startsWith(".") || n.equals(Checkpoint.INDEX_FILE)) continue;
                if (WEIGHT_SUFFIXES.stream().anyMatch(lower::endsWith)) continue;
                Files.copy(p, to.resolve(n), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /** Whether two config.json files say the same (apart from {@code _name_or_path}); for a warning. */
    static boolean sameConfig(Path a, Path b) {
        try {
            JsonNode x = Jsonl.MAPPER.readTree(a.resolve("config.json").toFile());
            JsonNode y = Jsonl.MAPPER.readTree(b.resolve("config.json").toFile());
            if (x instanceof ObjectNode ox) ox.remove("_name_or_path");
            if (y instanceof ObjectNode oy) oy.remove("_name_or_path");
            return x.equals(y);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static List<Checkpoint> openAll(List<Path> dirs) {
        List<Checkpoint> out = new ArrayList<>();
        try {
            for (Path d : dirs) {
                if (!Files.isDirectory(d)) throw new DataException(d + ": not a checkpoint directory");
                try {
                    out.add(Checkpoint.open(d));
                } catch (SafetensorsException e) {
                    throw new DataException(e.getMessage(), e);
                }
            }
            return out;
        } catch (RuntimeException e) {
            closeAll(out);
            throw e;
        }
    }

    private static void closeAll(List<Checkpoint> l) {
        for (Checkpoint c : l) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // unmapping failures change nothing for the result
            }
        }
    }
}
