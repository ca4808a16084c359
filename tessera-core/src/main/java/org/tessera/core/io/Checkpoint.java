package org.tessera.core.io;

import static org.tessera.core.io.SafetensorsException.quote;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tessera.core.tensor.Tensor;

/**
 * The weights of a model: one safetensors file, or several shards tied together by a Hugging Face index
 * ({@code model.safetensors.index.json}, whose {@code weight_map} maps each tensor name to its shard file).
 * Lookups by name go to the right shard; all shards are validated and mapped on open and unmapped by
 * {@link #close()}.
 *
 * <p>Rules for the index: it must be a JSON object with a {@code weight_map} object of string values; each shard
 * name must be a plain file name in the index's directory (no path separators, so an index cannot point outside
 * its model directory); every shard must exist and be a valid safetensors file; every mapped name must be in the
 * shard it is mapped to. The weight map is authoritative: a tensor present in a shard but not in the map is not
 * visible, as with the Hugging Face loaders that read by the map.
 */
public final class Checkpoint implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path source;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byName;   // weight-map (or file) order
    private final Map<String, String> metadata;

    private Checkpoint(Path source, List<SafetensorsFile> files, Map<String, SafetensorsFile> byName,
                       Map<String, String> metadata) {
        this.source = source;
        this.files = files;
        this.byName = byName;
        this.metadata = metadata;
    }

    /**
     * Opens a model directory (its {@code model.safetensors}, else its {@code model.safetensors.index.json}, the
     * order Hugging Face transformers tries them in), an index file ({@code *.index.json}), or a single
     * safetensors file.
     */
    public static Checkpoint open(Path path) {
        if (Files.isDirectory(path)) {
            Path single = path.resolve(SINGLE_FILE);
            if (Files.isRegularFile(single)) return openSingle(single);
            Path index = path.resolve(INDEX_FILE);
            if (Files.isRegularFile(index)) return openIndex(index);
            throw new SafetensorsException(path, null, "directory has neither " + SINGLE_FILE + " nor " + INDEX_FILE);
        }
        if (path.getFileName() != null && path.getFileName().toString().endsWith(".index.json")) {
            return openIndex(path);
        }
        return openSingle(path);
    }

    private static Checkpoint openSingle(Path file) {
        SafetensorsFile f = SafetensorsFile.open(file);
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        for (String n : f.names()) byName.put(n, f);
        return new Checkpoint(file, List.of(f), Collections.unmodifiableMap(byName), f.metadata());
    }

    private static Checkpoint openIndex(Path index) {
        JsonNode root;
        try {
            root = Json.STRICT.readTree(Json.decodeUtf8(Files.readAllBytes(index)));
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(index, null, "index is not valid UTF-8", e);
        } catch (JacksonException e) {
            throw new SafetensorsException(index, null, "index is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (NoSuchFileException e) {
            throw new SafetensorsException(index, null, "no such file", e);
        } catch (IOException e) {
            throw new SafetensorsException(index, null, "cannot read index: " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(index, null, "index must be a JSON object");
        }
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new SafetensorsException(index, null, "index has no \"weight_map\" object");
        }

        // Shard name -> tensor names mapped to it, in first-appearance order.
        Map<String, List<String>> shards = new LinkedHashMap<>();
        Map<String, String> shardOf = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            JsonNode v = e.getValue();
            if (!v.isTextual()) {
                throw new SafetensorsException(index, e.getKey(), "weight_map value must be a shard file name");
            }
            String shard = v.textValue();
            if (shard.isEmpty() || shard.equals(".") || shard.equals("..") || shard.contains("/") || shard.contains("\\")
                    || shard.indexOf('\0') >= 0) {
                throw new SafetensorsException(index, e.getKey(), "shard name " + quote(shard)
                        + " is not a plain file name in the index's directory");
            }
            shards.computeIfAbsent(shard, k -> new ArrayList<>()).add(e.getKey());
            shardOf.put(e.getKey(), shard);
        }

        Path dir = index.toAbsolutePath().getParent();
        // Check that every shard exists before opening any, so the common failure (an incomplete download) is
        // reported at once, naming the missing shard, rather than after validating the shards that are there.
        for (Map.Entry<String, List<String>> s : shards.entrySet()) {
            if (!Files.isRegularFile(dir.resolve(s.getKey()))) {
                List<String> names = s.getValue();
                throw new SafetensorsException(index, null, "shard " + quote(s.getKey()) + " is missing from " + dir
                        + " (it holds " + names.size() + " mapped tensor" + (names.size() == 1 ? "" : "s")
                        + ", e.g. " + quote(names.get(0)) + ")");
            }
        }

        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> byShard = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> s : shards.entrySet()) {
                SafetensorsFile f = SafetensorsFile.open(dir.resolve(s.getKey()));
                opened.add(f);
                byShard.put(s.getKey(), f);
                for (String name : s.getValue()) {
                    if (!f.contains(name)) {
                        throw new SafetensorsException(index, name, "mapped to shard " + quote(s.getKey())
                                + ", which does not contain it");
                    }
                }
            }
            Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : shardOf.entrySet()) byName.put(e.getKey(), byShard.get(e.getValue()));
            return new Checkpoint(index, List.copyOf(opened), Collections.unmodifiableMap(byName), indexMetadata(root));
        } catch (RuntimeException e) {
            for (SafetensorsFile f : opened) f.close();
            throw e;
        }
    }

    /** The index's optional "metadata" object, scalars as text (e.g. {@code total_size}). */
    private static Map<String, String> indexMetadata(JsonNode root) {
        JsonNode m = root.get("metadata");
        if (m == null || !m.isObject()) return Map.of();
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : m.properties()) {
            JsonNode v = e.getValue();
            out.put(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
        }
        return Collections.unmodifiableMap(out);
    }

    /** The file or index this checkpoint was opened from. */
    public Path source() { return source; }

    /** The open safetensors files (one, or each shard once). */
    public List<SafetensorsFile> files() { return files; }

    /** Tensor names: file order for a single file, weight-map order for shards. */
    public List<String> names() { return List.copyOf(byName.keySet()); }

    public boolean contains(String name) { return byName.containsKey(name); }

    public SafetensorsFile.TensorInfo info(String name) { return fileOf(name).info(name); }

    /** A zero-copy view of the tensor in its shard's mapping; valid until {@link #close()}. */
    public Tensor tensor(String name) { return fileOf(name).tensor(name); }

    /** The file holding {@code name} (its shard, for a sharded checkpoint). */
    public Path pathOf(String name) { return fileOf(name).path(); }

    private SafetensorsFile fileOf(String name) {
        SafetensorsFile f = byName.get(name);
        if (f == null) {
            throw new SafetensorsException(source, name, "no such tensor in the checkpoint (" + byName.size() + " tensors)");
        }
        return f;
    }

    /** A single file's {@code __metadata__}, or an index's {@code metadata} object with values as text. */
    public Map<String, String> metadata() { return metadata; }

    /** Unmaps every file; closes all even if one fails. Idempotent. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (SafetensorsFile f : files) {
            try {
                f.close();
            } catch (RuntimeException e) {
                if (first == null) first = e; else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    @Override
    public String toString() {
        return "Checkpoint[" + source + ", " + byName.size() + " tensors in " + files.size() + " file(s)]";
    }
}
