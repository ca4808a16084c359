package org.tessera.train.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One annotation file in InternVL's fine-tuning format (see {@link Conversation}), its image root, and its share of a
 * mixture. Lines are kept as text and parsed when drawn.
 *
 * @param weight    the mixture weight (relative; see {@link DataMixture})
 * @param maxTiles  the dataset's {@code max_dynamic_patch}, or null for the run's setting
 * @param thumbnail the dataset's {@code use_thumbnail}, or null for the model's setting
 * @param tags      NVLM tile tags for the dataset's images ({@code tile_tags}: 1d, 2d-grid, 2d-box), or null for none
 */
public record Dataset(String name, Path annotation, Path root, List<String> lines, double weight, Integer maxTiles,
                      Boolean thumbnail, String tags) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public Dataset {
        lines = List.copyOf(lines);
        if (lines.isEmpty()) throw new IllegalArgumentException(annotation + ": no examples");
        if (!(weight > 0) || Double.isInfinite(weight)) throw new IllegalArgumentException(name + ": weight must be positive, got " + weight);
    }

    /** Reads a JSONL file (blank lines skipped); images resolve against {@code root}, or the file's folder when null. */
    public static Dataset read(String name, Path jsonl, Path root, double weight, Integer maxTiles) {
        List<String> lines = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(jsonl)) if (!l.isBlank()) lines.add(l);
        } catch (IOException e) {
            throw new IllegalArgumentException(jsonl + ": cannot read: " + e.getMessage(), e);
        }
        Path r = root != null ? root : jsonl.toAbsolutePath().getParent();
        return new Dataset(name, jsonl, r, lines, weight, maxTiles, null, null);
    }

    /** The same examples under another name, weight and tiling (several meta entries may share one file). */
    public Dataset with(String newName, double newWeight, Integer newMaxTiles, Boolean newThumbnail, String newTags) {
        return new Dataset(newName, annotation, root, lines, newWeight, newMaxTiles, newThumbnail, newTags);
    }

    public int size() { return lines.size(); }

    /** Example {@code i}, parsed. */
    public Conversation example(int i) {
        String where = annotation.getFileName() + " line " + (i + 1);
        try {
            return Conversation.parse(MAPPER.readTree(lines.get(i)), where);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": bad JSON: " + e.getMessage(), e);
        }
    }

    /** An image path of an example, resolved against the root. */
    public Path image(String path) {
        Path p = Path.of(path);
        return p.isAbsolute() ? p : root.resolve(p);
    }

    static JsonNode readJson(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read JSON: " + e.getMessage(), e);
        }
    }
}
