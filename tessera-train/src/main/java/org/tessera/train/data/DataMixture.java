package org.tessera.train.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Datasets mixed by weight. Read from a single JSONL file, or from InternVL's meta JSON:
 * <pre>{"name": {"root": "images/", "annotation": "train.jsonl", "repeat_time": 1, "length": 1000,
 *           "max_dynamic_patch": 6, "weight": 2.0}, ...}</pre>
 * tessera's extensions: {@code weight}, and the tiling of a dataset's images, {@code use_thumbnail} (InternVL's
 * config key) and {@code tile_tags} (NVLM's tags: 1d, 2d-grid, 2d-box), so that one file can be mixed under several
 * tilings.
 * A dataset's weight is {@code weight} when given (tessera's extension), else InternVL's effective size
 * {@code repeat_time × length} (length counted from the file when absent): examples are then drawn with probability
 * proportional to it. Relative paths resolve against the meta file's folder.
 */
public record DataMixture(List<Dataset> datasets) {

    public DataMixture {
        datasets = List.copyOf(datasets);
        if (datasets.isEmpty()) throw new IllegalArgumentException("no datasets");
    }

    /**
     * {@code path} is a JSONL annotation file or a meta {@code .json}; {@code imagesRoot} (may be null) is the image
     * folder for datasets that do not name their own.
     */
    public static DataMixture load(Path path, Path imagesRoot) {
        String n = path.getFileName().toString();
        if (n.endsWith(".jsonl")) return new DataMixture(List.of(Dataset.read(n, path, imagesRoot, 1.0, null)));
        JsonNode meta = Dataset.readJson(path);
        if (!meta.isObject()) throw new IllegalArgumentException(path + ": a meta file maps dataset names to {root, annotation, ...}");
        Path dir = path.toAbsolutePath().getParent();
        List<Dataset> ds = new ArrayList<>();
        Map<List<Path>, Dataset> files = new java.util.HashMap<>(); // entries that share a file share its lines
        for (Map.Entry<String, JsonNode> e : meta.properties()) {
            JsonNode d = e.getValue();
            String where = path + ": " + e.getKey();
            if (!d.has("annotation")) throw new IllegalArgumentException(where + ": needs \"annotation\"");
            Path ann = dir.resolve(d.get("annotation").asText());
            Path root = d.has("root") ? dir.resolve(d.get("root").asText()) : imagesRoot;
            Integer maxTiles = d.has("max_dynamic_patch") ? d.get("max_dynamic_patch").asInt() : null;
            Boolean thumbnail = d.has("use_thumbnail") ? d.get("use_thumbnail").asBoolean() : null;
            String tags = d.has("tile_tags") ? d.get("tile_tags").asText() : null;
            Dataset read = files.computeIfAbsent(java.util.Arrays.asList(ann, root), k -> Dataset.read(e.getKey(), ann, root, 1.0, null));
            double weight;
            if (d.has("weight")) weight = d.get("weight").asDouble();
            else weight = d.path("repeat_time").asDouble(1.0) * (d.has("length") ? d.get("length").asDouble() : read.size());
            ds.add(read.with(e.getKey(), weight, maxTiles, thumbnail, tags));
        }
        return new DataMixture(ds);
    }

    public int size() {
        int n = 0;
        for (Dataset d : datasets) n += d.size();
        return n;
    }

    /** The normalised mixture probabilities, in dataset order. */
    public double[] probabilities() {
        double total = 0;
        for (Dataset d : datasets) total += d.weight();
        double[] p = new double[datasets.size()];
        for (int i = 0; i < p.length; i++) p[i] = datasets.get(i).weight() / total;
        return p;
    }
}
