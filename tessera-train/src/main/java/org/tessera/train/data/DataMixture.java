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
        for (Map.Entry<String, JsonNode> e : meta.properties()) {
            JsonNode d = e.getValue();
            String where = path + ": " + e.getKey();
            if (!d.has("annotation")) throw new IllegalArgumentException(where + ": needs \"annotation\"");
            Path ann = dir.resolve(d.get("annotation").asText());
            Path root = d.has("root") ? dir.resolve(d.get("root").asText()) : imagesRoot;
            Integer maxTiles = d.has("max_dynamic_patch") ? d.get("max_dynamic_patch").asInt() : null;
            Dataset read = Dataset.read(e.getKey(), ann, root, 1.0, maxTiles);
            double weight;
            if (d.has("weight")) weight = d.get("weight").asDouble();
            else weight = d.path("repeat_time").asDouble(1.0) * (d.has("length") ? d.get("length").asDouble() : read.size());
            ds.add(new Dataset(e.getKey(), ann, read.root(), read.lines(), weight, maxTiles));
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
