package org.tessera.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.tessera.eval.Kind;

/**
 * How the model is run on a benchmark: the kind (prompt, metric, default tile budget), the tiling strategy, the tile
 * limit and the answer budget. Greedy decoding always.
 *
 * @param kind         the benchmark kind
 * @param strategy     tiling strategy; the InternVL wrapper's dynamic tiling ("internvl") by default
 * @param maxTiles     most local tiles per question's images (null: the wrapper's budget for the kind)
 * @param maxNewTokens most tokens per answer
 */
public record RunSettings(Kind kind, String strategy, Integer maxTiles, int maxNewTokens) {
    public static final String DEFAULT_STRATEGY = "internvl";

    public RunSettings {
        Objects.requireNonNull(kind, "kind");
        if (strategy == null) strategy = DEFAULT_STRATEGY;
        if (maxTiles != null && maxTiles < 1) throw new IllegalArgumentException("--max-tiles must be at least 1, got " + maxTiles);
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be at least 1, got " + maxNewTokens);
    }

    public static RunSettings defaults(Kind kind) {
        return new RunSettings(kind, DEFAULT_STRATEGY, null, kind.maxNewTokens);
    }

    /** The tile limit before the per-question budget: --max-tiles, else the wrapper's for the kind. */
    public int baseMaxTiles() {
        return maxTiles != null ? maxTiles : kind.maxTiles;
    }

    /** The tile limit for a question with {@code images} images (the wrapper's 64-tile total budget applied). */
    public int maxTilesFor(int images) {
        return Kind.tileLimit(baseMaxTiles(), images);
    }

    public RunSettings withStrategy(String s) { return new RunSettings(kind, s, maxTiles, maxNewTokens); }

    public RunSettings withMaxTiles(Integer n) { return new RunSettings(kind, strategy, n, maxNewTokens); }

    /** "strategy=internvl max-tiles=6". */
    public String label() {
        return "strategy=" + strategy + " max-tiles=" + baseMaxTiles();
    }

    /** A folder name for this setting inside a sweep's output folder. */
    public String folderName() {
        return "strategy-" + strategy + "_max-tiles-" + baseMaxTiles();
    }

    ObjectNode toJson(ObjectMapper m) {
        ObjectNode o = m.createObjectNode();
        o.put("kind", kind.id);
        o.put("strategy", strategy);
        o.put("max_tiles", baseMaxTiles());
        o.put("max_new_tokens", maxNewTokens);
        return o;
    }

    /** What differs from the settings stored in {@code o}, as "name: stored -> now" texts. */
    List<String> differences(JsonNode o) {
        List<String> d = new ArrayList<>();
        diff(d, "kind", o.path("kind").asText(), kind.id);
        diff(d, "strategy", o.path("strategy").asText(), strategy);
        diff(d, "max tiles", o.path("max_tiles").asText(), Integer.toString(baseMaxTiles()));
        diff(d, "max new tokens", o.path("max_new_tokens").asText(), Integer.toString(maxNewTokens));
        return d;
    }

    static void diff(List<String> out, String name, String stored, String now) {
        if (!stored.equals(now)) out.add(name + " " + stored + " -> " + now);
    }
}
