package org.tessera.model.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE from a Hugging Face {@code tokenizer.json}: the Qwen2 / Qwen2.5 tokenizers of InternVL2-1B and
 * InternVL2_5-1B (and GPT-2-style tokenizers in general).
 *
 * <p>The pipeline and the reference behaviour it reproduces ({@code tokenizers} Rust crate, which Python's fast
 * tokenizers and {@code tokenizer.json} describe):
 * <ol>
 *   <li>added tokens with {@code normalized: false} are cut out of the raw text ({@link AddedTokenSplitter});</li>
 *   <li>the rest is normalized (NFC for Qwen2), then added tokens with {@code normalized: true} are cut out;</li>
 *   <li>the pre-tokenizer splits the rest into words ({@link PreTokenizerPattern}), the ByteLevel step maps each
 *       UTF-8 byte to its printable stand-in character (GPT-2's {@code bytes_to_unicode});</li>
 *   <li>each word is merged with BPE: repeatedly the adjacent pair with the lowest merge rank is merged, the
 *       leftmost one on ties, until no pair has a rank (the order of {@code tokenizers}' binary heap keyed by
 *       (rank, position));</li>
 *   <li>the post-processor may add tokens around the sequence ({@link #encode(String, boolean)}).</li>
 * </ol>
 * Decoding concatenates the bytes of every token and decodes them as UTF-8 with one U+FFFD per maximal ill-formed
 * subpart, as the ByteLevel decoder's {@code String::from_utf8_lossy} does; a token whose string contains a character
 * outside the byte alphabet (an added token such as {@code "<|im_start|>"} is inside it; one with a space or CJK is not)
 * contributes its own UTF-8 bytes, as there.
 *
 * <p>Speed: merges are looked up by id pair in a primitive hash map, and every distinct word's result is cached, so
 * steady-state encoding is one pre-tokenizer pass plus one cache lookup per word.
 *
 * <p>Supported {@code tokenizer.json} shapes (anything else is rejected with a message, not guessed at): model
 * {@code BPE} without subword prefixes/suffixes or dropout; normalizer none, NFC/NFD/NFKC/NFKD or a Sequence of
 * them; pre-tokenizer {@code Sequence[Split(Qwen2 or GPT-2 pattern, Isolated), ByteLevel(use_regex=false)]} or
 * {@code ByteLevel(use_regex=true)}; decoder ByteLevel; post-processor none, ByteLevel, TemplateProcessing or a
 * Sequence of those. A directory with only the slow tokenizer's {@code vocab.json} + {@code merges.txt} is read
 * with the Qwen2 pipeline ({@link #loadDirectory}).
 *
 * <p>Reference semantics: Hugging Face {@code tokenizers} (the fast tokenizer). The official InternVL snippets load
 * the slow {@code Qwen2Tokenizer} ({@code use_fast=False}), which should give the same ids: it applies NFC to the
 * whole text before cutting out added tokens (the same for ASCII added tokens) and runs the split pattern with
 * Python's {@code regex} module, whose {@code \s} may also match U+001C..U+001F (not verified here).
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** GPT-2's byte to printable-character table, and its inverse (-1 for characters outside it). */
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[324];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    /** Maps raw bytes to the byte-level alphabet, e.g. a space to {@code Ġ}; exposed for tests and tools. */
    public static String toByteLevel(byte[] bytes) {
        char[] c = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) c[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(c);
    }

    /** The Qwen2 pre-tokenizer's split pattern, as tokenizer.json spells it. */
    public static final String QWEN2_SPLIT_REGEX = PreTokenizerPattern.QWEN2.regex;

    /**
     * The words the Qwen2 pipeline (NFC, the Qwen2 split pattern, ByteLevel) makes of plain text, each in the
     * byte-level alphabet: what BPE merges act on, and so what a tokenizer trainer counts.
     */
    public static List<String> qwen2Words(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFC);
        List<String> words = new ArrayList<>();
        PreTokenizerPattern.QWEN2.split(s, 0, s.length(),
                (start, end) -> words.add(toByteLevel(s.substring(start, end).getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        return words;
    }

    // ---- immutable state ------------------------------------------------------------------------------------------

    private final Core core;                        // shared by variants that differ only in added tokens
    private final Map<String, Integer> vocab;      // model vocabulary, byte-level strings
    private final List<AddedToken> addedTokens;    // in file order
    private final Map<String, AddedToken> addedByContent;
    private final String[] idToToken;
    private final byte[][] idBytes;
    private final boolean[] special;
    private final int[] byteToId;
    private final LongIntMap mergeRanks;
    private final int[] mergeResult;
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean ignoreMerges;
    private final List<Normalizer.Form> normalizers;
    private final PreTokenizerPattern splitPattern; // null: no Split stage
    private final boolean byteLevelPrefixSpace;
    private final boolean byteLevelUseRegex;
    private final int[] prefix;
    private final int[] suffix;
    private final AddedTokenSplitter rawSplitter;
    private final AddedTokenSplitter normalizedSplitter;

    /**
     * Word cache: pre-token string to ids, shared with variants (added tokens never change a word's BPE). Cleared
     * wholesale when full; longer words are not cached.
     */
    private final ConcurrentHashMap<String, int[]> cache;
    private static final int CACHE_LIMIT = 200_000;
    private static final int CACHE_MAX_WORD = 256;

    // ---- loading --------------------------------------------------------------------------------------------------

    public static ByteLevelBpeTokenizer load(Path tokenizerJson) {
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tokenizerJson, e);
        }
    }

    /**
     * Reads a tokenizer.json. The two big arrays (model.vocab, model.merges: 150k entries each for Qwen2) are
     * streamed straight into their final form instead of through a JSON tree of some 600k nodes; every other section
     * is read as a tree. (Load time is about the same, roughly half a second for Qwen2 once the JVM is warm; the
     * peak memory is much lower.)
     */
    public static ByteLevelBpeTokenizer load(InputStream tokenizerJson) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode root = JSON.createObjectNode();
        com.fasterxml.jackson.databind.node.ObjectNode model = root.putObject("model");
        Map<String, Integer> vocab = new HashMap<>(1 << 18);
        List<String[]> merges = new ArrayList<>(1 << 17);
        try (com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(tokenizerJson)) {
            expect(p.nextToken(), com.fasterxml.jackson.core.JsonToken.START_OBJECT, p);
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!field.equals("model") || p.currentToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    root.set(field, JSON.readTree(p));
                    continue;
                }
                while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    String mf = p.currentName();
                    p.nextToken();
                    if (mf.equals("vocab") && p.currentToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                        while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                            String tok = p.currentName();
                            p.nextToken();
                            vocab.put(tok, p.getIntValue());
                        }
                    } else if (mf.equals("merges") && p.currentToken() == com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                        while (p.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
                            if (p.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                                merges.add(splitMerge(p.getText()));
                            } else if (p.currentToken() == com.fasterxml.jackson.core.JsonToken.START_ARRAY
                                    && p.nextToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                                String a = p.getText();
                                expect(p.nextToken(), com.fasterxml.jackson.core.JsonToken.VALUE_STRING, p);
                                String b = p.getText();
                                expect(p.nextToken(), com.fasterxml.jackson.core.JsonToken.END_ARRAY, p);
                                merges.add(new String[]{a, b});
                            } else {
                                throw new IOException("tokenizer.json: unsupported merge at " + p.currentLocation());
                            }
                        }
                    } else {
                        model.set(mf, JSON.readTree(p));
                    }
                }
            }
        }
        return new ByteLevelBpeTokenizer(parseCore(root, vocab, merges), parseAddedTokens(root));
    }

    private static void expect(com.fasterxml.jackson.core.JsonToken got, com.fasterxml.jackson.core.JsonToken want,
                               com.fasterxml.jackson.core.JsonParser p) throws IOException {
        if (got != want) throw new IOException("tokenizer.json: expected " + want + " but found " + got + " at " + p.currentLocation());
    }

    /** A merge written as {@code "a b"}. */
    private static String[] splitMerge(String s) {
        int sp = s.indexOf(' ');
        if (sp < 0 || s.indexOf(' ', sp + 1) >= 0) throw new IllegalArgumentException("unsupported tokenizer.json merge: " + s);
        return new String[]{s.substring(0, sp), s.substring(sp + 1)};
    }

    /** A merge written as {@code ["a", "b"]}. */
    private static String[] pairMerge(JsonNode m) {
        if (!m.isArray() || m.size() != 2) throw unsupported("merge", m);
        return new String[]{m.get(0).asText(), m.get(1).asText()};
    }

    /**
     * Loads a checkpoint's tokenizer directory. With {@code tokenizer.json}, that file defines everything; tokens
     * listed in {@code tokenizer_config.json}'s {@code added_tokens_decoder} but missing from it are added with their
     * ids, as transformers does when it builds a fast tokenizer. Without {@code tokenizer.json} (a checkpoint that
     * ships only the slow tokenizer's files), {@code vocab.json} + {@code merges.txt} are read and given the pipeline
     * that transformers' Qwen2 converter builds for {@code Qwen2Tokenizer}: NFC, the Qwen2 split pattern, byte level;
     * added tokens then come from {@code added_tokens_decoder} and {@code added_tokens.json}.
     */
    public static ByteLevelBpeTokenizer loadDirectory(Path dir) {
        Path cfgPath = dir.resolve("tokenizer_config.json");
        try {
            JsonNode cfg = Files.exists(cfgPath) ? JSON.readTree(cfgPath.toFile()) : JSON.createObjectNode();
            ByteLevelBpeTokenizer t;
            if (Files.exists(dir.resolve("tokenizer.json"))) {
                t = load(dir.resolve("tokenizer.json"));
            } else {
                t = loadSlowQwen2Files(dir, cfg);
            }
            List<AddedToken> extra = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = cfg.path("added_tokens_decoder").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                AddedToken a = parseAddedToken(Integer.parseInt(e.getKey()), e.getValue());
                AddedToken have = t.addedByContent.get(a.content());
                if (have == null) {
                    extra.add(a);
                } else if (have.id() != a.id()) {
                    throw new IllegalArgumentException("tokenizer_config.json gives '" + a.content() + "' id " + a.id()
                            + " but tokenizer.json gives " + have.id());
                }
            }
            Path addedJson = dir.resolve("added_tokens.json");
            if (Files.exists(addedJson)) {
                for (Iterator<Map.Entry<String, JsonNode>> it = JSON.readTree(addedJson.toFile()).fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    boolean known = t.addedByContent.containsKey(e.getKey())
                            || extra.stream().anyMatch(x -> x.content().equals(e.getKey()));
                    // added_tokens.json carries no flags; transformers treats these as special, unnormalized.
                    if (!known) extra.add(AddedToken.special(e.getValue().asInt(), e.getKey()));
                }
            }
            return extra.isEmpty() ? t : t.withAddedTokens(extra);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the tokenizer files in " + dir, e);
        }
    }

    /** vocab.json + merges.txt with the Qwen2 fast-tokenizer pipeline (see {@link #loadDirectory}). */
    private static ByteLevelBpeTokenizer loadSlowQwen2Files(Path dir, JsonNode cfg) throws IOException {
        Path vocabPath = dir.resolve("vocab.json"), mergesPath = dir.resolve("merges.txt");
        if (!Files.exists(vocabPath) || !Files.exists(mergesPath)) {
            throw new IllegalArgumentException(dir + " has neither tokenizer.json nor vocab.json + merges.txt");
        }
        String cls = cfg.path("tokenizer_class").asText("Qwen2Tokenizer");
        if (!cls.startsWith("Qwen2Tokenizer")) {
            throw new IllegalArgumentException("without tokenizer.json only Qwen2Tokenizer is supported, not " + cls);
        }
        com.fasterxml.jackson.databind.node.ObjectNode root = JSON.createObjectNode();
        root.putObject("normalizer").put("type", "NFC");
        com.fasterxml.jackson.databind.node.ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        com.fasterxml.jackson.databind.node.ArrayNode stages = pre.putArray("pretokenizers");
        com.fasterxml.jackson.databind.node.ObjectNode split = stages.addObject();
        split.put("type", "Split").put("behavior", "Isolated").put("invert", false);
        split.putObject("pattern").put("Regex", PreTokenizerPattern.QWEN2.regex);
        stages.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false).put("use_regex", false);
        root.putObject("decoder").put("type", "ByteLevel");
        root.putObject("post_processor").put("type", "ByteLevel");
        root.putObject("model").put("type", "BPE");
        root.putArray("added_tokens");
        Map<String, Integer> vocab = new HashMap<>(1 << 18);
        for (Iterator<Map.Entry<String, JsonNode>> it = JSON.readTree(vocabPath.toFile()).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        // merges.txt as Qwen2Tokenizer reads it: an optional "#version:" first line, blank lines skipped.
        List<String[]> merges = new ArrayList<>(1 << 17);
        List<String> lines = Files.readAllLines(mergesPath, java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || (i == 0 && line.startsWith("#version:"))) continue;
            String[] parts = line.split("\\s+");
            if (parts.length != 2) throw new IllegalArgumentException("merges.txt line " + (i + 1) + ": " + line);
            merges.add(parts);
        }
        return new ByteLevelBpeTokenizer(parseCore(root, vocab, merges), List.of());
    }

    public static ByteLevelBpeTokenizer fromJson(JsonNode root) {
        return new ByteLevelBpeTokenizer(parseCore(root), parseAddedTokens(root));
    }

    private static AddedToken parseAddedToken(int id, JsonNode n) {
        boolean special = n.path("special").asBoolean(false);
        return new AddedToken(id, n.path("content").asText(), special,
                n.path("lstrip").asBoolean(false), n.path("rstrip").asBoolean(false),
                n.path("single_word").asBoolean(false), n.path("normalized").asBoolean(!special));
    }

    private static IllegalArgumentException unsupported(String what, JsonNode node) {
        return new IllegalArgumentException("unsupported tokenizer.json " + what + ": " + node);
    }

    /** Everything parsed from tokenizer.json except the added tokens; immutable and shared. */
    private record Core(Map<String, Integer> vocab, String[] vocabTokens, byte[][] vocabBytes, int[] byteToId,
                        LongIntMap mergeRanks, int[] mergeResult, int unkId, boolean fuseUnk, boolean ignoreMerges,
                        List<Normalizer.Form> normalizers, PreTokenizerPattern splitPattern,
                        boolean byteLevelPrefixSpace, boolean byteLevelUseRegex, int[] prefix, int[] suffix,
                        ConcurrentHashMap<String, int[]> cache) {}

    private static Core parseCore(JsonNode root) {
        Map<String, Integer> vocab = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("model").path("vocab").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        List<String[]> merges = new ArrayList<>();
        for (JsonNode m : root.path("model").path("merges")) merges.add(m.isArray() ? pairMerge(m) : splitMerge(m.asText()));
        return parseCore(root, vocab, merges);
    }

    private static Core parseCore(JsonNode root, Map<String, Integer> vocab, List<String[]> merges) {
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText("BPE"))) throw unsupported("model", model.path("type"));
        if (!model.path("continuing_subword_prefix").asText("").isEmpty()
                || !model.path("end_of_word_suffix").asText("").isEmpty()) {
            throw unsupported("BPE subword prefix/suffix", model);
        }
        if (model.hasNonNull("dropout") && model.path("dropout").asDouble() > 0) throw unsupported("BPE dropout", model.path("dropout"));

        // Vocabulary.
        int maxId = -1;
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            if (e.getValue() < 0) throw new IllegalArgumentException("negative vocabulary id for " + e.getKey());
            maxId = Math.max(maxId, e.getValue());
        }
        String[] vocabTokens = new String[maxId + 1];
        byte[][] vocabBytes = new byte[maxId + 1][];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            vocabTokens[e.getValue()] = e.getKey();
            vocabBytes[e.getValue()] = tokenBytes(e.getKey());
        }
        int[] byteToId = new int[256];
        for (int b = 0; b < 256; b++) byteToId[b] = vocab.getOrDefault(String.valueOf(BYTE_TO_CHAR[b]), -1);
        String unk = model.path("unk_token").isTextual() ? model.path("unk_token").asText() : null;
        int unkId = unk == null ? -1 : vocab.getOrDefault(unk, -1);

        // Merges: rank = position in the list.
        LongIntMap mergeRanks = new LongIntMap(merges.size());
        int[] mergeResult = new int[merges.size()];
        int rank = 0;
        for (String[] m : merges) {
            Integer ia = vocab.get(m[0]), ib = vocab.get(m[1]), ab = vocab.get(m[0] + m[1]);
            if (ia == null || ib == null || ab == null) {
                throw new IllegalArgumentException("merge [" + m[0] + ", " + m[1] + "] refers to a token missing from the vocabulary");
            }
            mergeRanks.putIfAbsent(LongIntMap.pair(ia, ib), rank); // a repeated pair keeps its first (best) rank
            mergeResult[rank] = ab;
            rank++;
        }

        List<Normalizer.Form> normalizers = parseNormalizer(root.path("normalizer"));

        // Pre-tokenizer.
        JsonNode pre = root.path("pre_tokenizer");
        List<JsonNode> stages = new ArrayList<>();
        if ("Sequence".equals(pre.path("type").asText())) pre.path("pretokenizers").forEach(stages::add);
        else if (!pre.isMissingNode() && !pre.isNull()) stages.add(pre);
        PreTokenizerPattern split = null;
        Boolean prefixSpace = null, useRegex = null;
        for (JsonNode st : stages) {
            String type = st.path("type").asText();
            if ("Split".equals(type) && split == null && prefixSpace == null) {
                String regex = st.path("pattern").path("Regex").asText(null);
                split = regex == null ? null : PreTokenizerPattern.forRegex(regex);
                if (split == null || !"Isolated".equals(st.path("behavior").asText()) || st.path("invert").asBoolean(false)) {
                    throw unsupported("Split pre-tokenizer", st);
                }
            } else if ("ByteLevel".equals(type) && prefixSpace == null) {
                prefixSpace = st.path("add_prefix_space").asBoolean(true);
                useRegex = st.path("use_regex").asBoolean(true);
            } else {
                throw unsupported("pre-tokenizer", pre);
            }
        }
        if (prefixSpace == null) throw unsupported("pre-tokenizer (a byte-level BPE needs a ByteLevel step)", pre);

        JsonNode dec = root.path("decoder");
        if (!"ByteLevel".equals(dec.path("type").asText())) throw unsupported("decoder", dec);

        IntList pre1 = new IntList(2), post1 = new IntList(2);
        parsePostProcessor(root.path("post_processor"), pre1, post1);
        return new Core(vocab, vocabTokens, vocabBytes, byteToId, mergeRanks, mergeResult, unkId,
                model.path("fuse_unk").asBoolean(false), model.path("ignore_merges").asBoolean(false),
                normalizers, split, prefixSpace, useRegex, pre1.toArray(), post1.toArray(), new ConcurrentHashMap<>());
    }

    private static List<AddedToken> parseAddedTokens(JsonNode root) {
        List<AddedToken> out = new ArrayList<>();
        for (JsonNode a : root.path("added_tokens")) out.add(parseAddedToken(a.path("id").asInt(), a));
        return out;
    }

    private ByteLevelBpeTokenizer(Core core, List<AddedToken> added) {
        this.core = core;
        vocab = core.vocab();
        byteToId = core.byteToId();
        mergeRanks = core.mergeRanks();
        mergeResult = core.mergeResult();
        unkId = core.unkId();
        fuseUnk = core.fuseUnk();
        ignoreMerges = core.ignoreMerges();
        normalizers = core.normalizers();
        splitPattern = core.splitPattern();
        byteLevelPrefixSpace = core.byteLevelPrefixSpace();
        byteLevelUseRegex = core.byteLevelUseRegex();
        prefix = core.prefix();
        suffix = core.suffix();
        cache = core.cache();

        addedTokens = List.copyOf(added);
        addedByContent = new LinkedHashMap<>();
        int maxId = core.vocabTokens().length - 1;
        for (AddedToken t : addedTokens) {
            addedByContent.putIfAbsent(t.content(), t);
            maxId = Math.max(maxId, t.id());
        }
        idToToken = Arrays.copyOf(core.vocabTokens(), maxId + 1);
        idBytes = Arrays.copyOf(core.vocabBytes(), maxId + 1);
        special = new boolean[maxId + 1];
        for (AddedToken t : addedTokens) {
            idToToken[t.id()] = t.content();
            idBytes[t.id()] = tokenBytes(t.content());
            special[t.id()] = t.special();
        }
        List<AddedToken> raw = new ArrayList<>(), norm = new ArrayList<>();
        for (AddedToken t : addedByContent.values()) (t.normalized() ? norm : raw).add(t);
        rawSplitter = new AddedTokenSplitter(raw, c -> c);
        normalizedSplitter = new AddedTokenSplitter(norm, this::normalize);
    }

    private static List<Normalizer.Form> parseNormalizer(JsonNode n) {
        List<Normalizer.Form> out = new ArrayList<>();
        if (n.isMissingNode() || n.isNull()) return out;
        String type = n.path("type").asText();
        switch (type) {
            case "NFC" -> out.add(Normalizer.Form.NFC);
            case "NFD" -> out.add(Normalizer.Form.NFD);
            case "NFKC" -> out.add(Normalizer.Form.NFKC);
            case "NFKD" -> out.add(Normalizer.Form.NFKD);
            case "Sequence" -> {
                for (JsonNode c : n.path("normalizers")) out.addAll(parseNormalizer(c));
            }
            default -> throw unsupported("normalizer", n);
        }
        return out;
    }

    private static void parsePostProcessor(JsonNode n, IntList pre, IntList post) {
        if (n.isMissingNode() || n.isNull()) return;
        switch (n.path("type").asText()) {
            case "ByteLevel" -> { /* only trims offsets; adds no tokens */ }
            case "Sequence" -> {
                for (JsonNode c : n.path("processors")) parsePostProcessor(c, pre, post);
            }
            case "TemplateProcessing" -> {
                boolean seenSequence = false;
                for (JsonNode item : n.path("single")) {
                    if (item.has("Sequence")) {
                        seenSequence = true;
                    } else if (item.has("SpecialToken")) {
                        String name = item.path("SpecialToken").path("id").asText();
                        JsonNode ids = n.path("special_tokens").path(name).path("ids");
                        if (!ids.isArray() || ids.isEmpty()) throw unsupported("TemplateProcessing special token", item);
                        for (JsonNode id : ids) (seenSequence ? post : pre).add(id.asInt());
                    } else {
                        throw unsupported("TemplateProcessing item", item);
                    }
                }
            }
            default -> throw unsupported("post-processor", n);
        }
    }

    /** Bytes a token contributes to decoded text (see the class comment). */
    private static byte[] tokenBytes(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) return Utf8.encode(token);
            out[i] = (byte) b;
        }
        return out;
    }

    private String normalize(String s) {
        for (Normalizer.Form f : normalizers) {
            if (!Normalizer.isNormalized(s, f)) s = Normalizer.normalize(s, f);
        }
        return s;
    }

    /**
     * A copy with more added tokens, each with its given id (as {@code added_tokens} entries in
     * {@code tokenizer.json}). A content that is already an added token keeps its existing definition.
     */
    public ByteLevelBpeTokenizer withAddedTokens(List<AddedToken> extra) {
        List<AddedToken> all = new ArrayList<>(addedTokens);
        java.util.Set<String> seen = new java.util.HashSet<>(addedByContent.keySet());
        for (AddedToken t : extra) {
            if (seen.add(t.content())) all.add(t);
        }
        return new ByteLevelBpeTokenizer(core, all);
    }

    /** The same model with exactly these added tokens (for tests and tools that rebuild a checkpoint's list). */
    ByteLevelBpeTokenizer replaceAddedTokens(List<AddedToken> tokens) {
        return new ByteLevelBpeTokenizer(core, tokens);
    }

    /**
     * {@code tokenizer.add_tokens(contents, special_tokens=special)} of Python's fast tokenizers, which is how
     * InternVL's training script added its nine tokens: a content already in the vocabulary keeps its id; each new
     * one gets the next id after the larger of the model vocabulary and the existing added tokens.
     */
    public ByteLevelBpeTokenizer addTokens(List<String> contents, boolean specialTokens) {
        List<AddedToken> extra = new ArrayList<>();
        int maxAdded = -1;
        for (AddedToken t : addedTokens) maxAdded = Math.max(maxAdded, t.id());
        int modelSize = vocab.size();
        Map<String, Integer> assigned = new HashMap<>();
        for (String c : contents) {
            if (addedByContent.containsKey(c) || assigned.containsKey(c)) continue;
            int id;
            Integer inVocab = vocab.get(c);
            if (inVocab != null) {
                id = inVocab;
            } else {
                id = maxAdded < 0 ? modelSize : (maxAdded >= modelSize ? maxAdded + 1 : modelSize);
                maxAdded = Math.max(maxAdded, id);
            }
            assigned.put(c, id);
            extra.add(new AddedToken(id, c, specialTokens, false, false, false, !specialTokens));
        }
        return withAddedTokens(extra);
    }

    // ---- encoding -------------------------------------------------------------------------------------------------

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        IntList out = new IntList(text.length() / 3 + 8);
        if (addSpecialTokens) out.addAll(prefix);
        for (AddedTokenSplitter.Piece p : rawSplitter.split(text, 0, text.length())) {
            if (p.isToken()) {
                out.add(p.tokenId());
                continue;
            }
            String seg = normalize(text.substring(p.start(), p.end()));
            for (AddedTokenSplitter.Piece q : normalizedSplitter.split(seg, 0, seg.length())) {
                if (q.isToken()) out.add(q.tokenId());
                else preTokenize(seg, q.start(), q.end(), out);
            }
        }
        if (addSpecialTokens) out.addAll(suffix);
        return out.toArray();
    }

    /** The pre-tokens (words) of a text, as strings, before the byte-level mapping; for tests and debugging. */
    public List<String> preTokens(String text) {
        List<String> words = new ArrayList<>();
        String s = normalize(text);
        forEachWord(s, 0, s.length(), (str, a, b) -> words.add(str.substring(a, b)));
        return words;
    }

    private interface WordSink {
        void word(String s, int start, int end);
    }

    private void forEachWord(String s, int from, int to, WordSink sink) {
        if (from >= to) return;
        if (splitPattern != null) {
            splitPattern.split(s, from, to, (a, b) -> byteLevelStage(s, a, b, sink));
        } else {
            byteLevelStage(s, from, to, sink);
        }
    }

    /** The ByteLevel pre-tokenizer on one piece: optional prefix space, optional GPT-2 regex split. */
    private void byteLevelStage(String s, int a, int b, WordSink sink) {
        if (byteLevelPrefixSpace && s.charAt(a) != ' ') {
            String t = " " + s.substring(a, b);
            if (byteLevelUseRegex) PreTokenizerPattern.GPT2.split(t, 0, t.length(), (x, y) -> sink.word(t, x, y));
            else sink.word(t, 0, t.length());
        } else if (byteLevelUseRegex) {
            PreTokenizerPattern.GPT2.split(s, a, b, (x, y) -> sink.word(s, x, y));
        } else {
            sink.word(s, a, b);
        }
    }

    private void preTokenize(String s, int from, int to, IntList out) {
        forEachWord(s, from, to, (str, a, b) -> out.addAll(wordIds(str, a, b)));
    }

    private int[] wordIds(String s, int a, int b) {
        boolean cacheable = b - a <= CACHE_MAX_WORD;
        String key = null;
        if (cacheable) {
            key = s.substring(a, b);
            int[] hit = cache.get(key);
            if (hit != null) return hit;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((b - a) * 3);
        Utf8.appendUtf8(s, a, b, bytes);
        int[] ids = bpe(bytes.toByteArray());
        if (cacheable) {
            if (cache.size() >= CACHE_LIMIT) cache.clear();
            cache.put(key, ids);
        }
        return ids;
    }

    /** BPE on one word given as UTF-8 bytes. */
    private int[] bpe(byte[] bytes) {
        if (ignoreMerges) {
            Integer whole = vocab.get(toByteLevel(bytes));
            if (whole != null) return new int[]{whole};
        }
        int n = 0;
        int[] sym = new int[bytes.length];
        boolean lastUnk = false;
        for (byte x : bytes) {
            int id = byteToId[x & 0xFF];
            if (id < 0) {
                // Not in the vocabulary (never for a complete byte-level vocabulary): unk, fused if asked, else dropped.
                if (unkId < 0 || (fuseUnk && lastUnk)) continue;
                id = unkId;
                lastUnk = true;
            } else {
                lastUnk = false;
            }
            sym[n++] = id;
        }
        if (n <= 1) return Arrays.copyOf(sym, n);

        int[] next = new int[n], prev = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        // Min-heap of (rank << 32 | position): lowest rank first, leftmost position on ties.
        long[] heap = new long[n];
        int hn = 0;
        for (int i = 0; i + 1 < n; i++) {
            int r = mergeRanks.get(LongIntMap.pair(sym[i], sym[i + 1]));
            if (r >= 0) {
                if (hn == heap.length) heap = Arrays.copyOf(heap, hn * 2);
                hn = heapPush(heap, hn, ((long) r << 32) | i);
            }
        }
        boolean[] dead = new boolean[n];
        while (hn > 0) {
            long top = heap[0];
            hn = heapPop(heap, hn);
            int r = (int) (top >>> 32);
            int pos = (int) top;
            if (dead[pos]) continue;
            int nx = next[pos];
            // Stale entry: the pair at pos changed since it was queued (ranks identify pairs uniquely).
            if (nx < 0 || mergeRanks.get(LongIntMap.pair(sym[pos], sym[nx])) != r) continue;
            sym[pos] = mergeResult[r];
            dead[nx] = true;
            next[pos] = next[nx];
            if (next[nx] >= 0) prev[next[nx]] = pos;
            int pv = prev[pos];
            if (pv >= 0) {
                int r2 = mergeRanks.get(LongIntMap.pair(sym[pv], sym[pos]));
                if (r2 >= 0) {
                    if (hn == heap.length) heap = Arrays.copyOf(heap, hn * 2);
                    hn = heapPush(heap, hn, ((long) r2 << 32) | pv);
                }
            }
            if (next[pos] >= 0) {
                int r2 = mergeRanks.get(LongIntMap.pair(sym[pos], sym[next[pos]]));
                if (r2 >= 0) {
                    if (hn == heap.length) heap = Arrays.copyOf(heap, hn * 2);
                    hn = heapPush(heap, hn, ((long) r2 << 32) | pos);
                }
            }
        }
        int count = 0;
        for (int i = 0; i >= 0; i = next[i]) count++;
        int[] out = new int[count];
        int k = 0;
        for (int i = 0; i >= 0; i = next[i]) out[k++] = sym[i];
        return out;
    }

    private static int heapPush(long[] h, int n, long v) {
        int i = n++;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (h[p] <= v) break;
            h[i] = h[p];
            i = p;
        }
        h[i] = v;
        return n;
    }

    private static int heapPop(long[] h, int n) {
        long last = h[--n];
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            if (l >= n) break;
            int c = l + 1 < n && h[l + 1] < h[l] ? l + 1 : l;
            if (h[c] >= last) break;
            h[i] = h[c];
            i = c;
        }
        if (n > 0) h[i] = last;
        return n;
    }

    // ---- decoding -------------------------------------------------------------------------------------------------

    private byte[] bytesOf(int id) {
        if (id < 0 || id >= idBytes.length || idBytes[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size " + idBytes.length + ")");
        }
        return idBytes[id];
    }

    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            byte[] b = bytesOf(id);
            if (skipSpecial && special[id]) continue;
            buf.writeBytes(b);
        }
        return Utf8.decodeLossy(buf.toByteArray());
    }

    @Override
    public StreamingDecoder streamingDecoder(boolean skipSpecial) {
        return new StreamingDecoder() {
            private final Utf8.LossyStream utf8 = new Utf8.LossyStream();

            @Override
            public String push(int id) {
                byte[] b = bytesOf(id);
                if (skipSpecial && special[id]) return "";
                return utf8.append(b);
            }

            @Override
            public String flush() {
                return utf8.finish();
            }
        };
    }

    // ---- vocabulary -----------------------------------------------------------------------------------------------

    @Override
    public int tokenId(String token) {
        AddedToken a = addedByContent.get(token);
        if (a != null) return a.id();
        Integer id = vocab.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public String token(int id) {
        return id >= 0 && id < idToToken.length ? idToToken[id] : null;
    }

    @Override
    public int vocabSize() {
        return idToToken.length;
    }

    @Override
    public boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    @Override
    public int[] prefixTokens() {
        return prefix.clone();
    }

    @Override
    public int[] suffixTokens() {
        return suffix.clone();
    }

    /** Added tokens in file order. */
    public List<AddedToken> addedTokens() {
        return List.copyOf(addedTokens);
    }

    /** Number of merge rules. */
    public int mergeCount() {
        return mergeResult.length;
    }
}
