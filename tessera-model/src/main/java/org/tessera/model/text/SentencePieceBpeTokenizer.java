package org.tessera.model.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * SentencePiece BPE with the Hugging Face slow-tokenizer layer on top: InternLM2's tokenizer (InternVL2-2B,
 * Mini-InternVL-Chat-2B-V1-5), i.e. {@code InternLM2Tokenizer} = {@code tokenizer.model} + added tokens +
 * {@code <s>} in front, and LlamaTokenizer (Phi-3 based checkpoints), the same plus its {@code legacy} option: with
 * {@code "legacy": false} in tokenizer_config.json, encoding follows that mode's rules instead of the first step
 * below (see {@link Builder#legacy}; checked against transformers' rules over the real SentencePiece library and
 * against transformers.js in {@code LlamaNonLegacyTokenizerParityTest}). Its unk-token step only matters for models
 * with remove_extra_whitespaces, which that fixture's vocabulary does not have.
 *
 * <h2>What runs, in order</h2>
 * <ol>
 *   <li><b>Added tokens</b> (tokenizer_config.json {@code added_tokens_decoder}, {@code added_tokens.json}, and the
 *       bos/eos/unk/pad tokens, which transformers registers as added tokens too) are cut out of the text,
 *       leftmost-longest ({@link AddedTokenSplitter}). Each remaining chunk is encoded by SentencePiece on its own,
 *       which is what {@code PreTrainedTokenizer.tokenize} does ({@code _tokenize(chunk)} =
 *       {@code sp_model.encode(chunk)}); so add_dummy_prefix, if the model had it, would apply per chunk.</li>
 *   <li><b>Normalization</b> (sentencepiece {@code normalizer.cc}): user-defined symbols pass through; with
 *       {@code remove_extra_whitespaces}, leading/trailing spaces go and runs of spaces collapse to one; with
 *       {@code add_dummy_prefix}, {@code ▁} is put in front of non-empty input; with {@code escape_whitespaces},
 *       {@code ' '} becomes {@code ▁}. Only the identity character map is supported: a model with a non-empty
 *       {@code precompiled_charsmap} (e.g. {@code nmt_nfkc}) is rejected rather than tokenized wrongly.</li>
 *   <li><b>BPE</b> ({@code bpe_model.cc}): the chunk is split into characters (a user-defined symbol is one frozen
 *       symbol); every adjacent pair whose concatenation is a NORMAL, USER_DEFINED or UNUSED piece is a candidate
 *       scored by that piece's score; the highest score is merged first, the leftmost on ties; merging repeats
 *       until no candidate is left. A result that is an UNUSED piece is split back into the two symbols it was
 *       merged from (recursively).</li>
 *   <li><b>Ids</b>: a symbol that is not a piece maps to {@code <unk>}; with {@code byte_fallback} it becomes one
 *       {@code <0xNN>} piece per UTF-8 byte instead.</li>
 *   <li>{@link #encode(String, boolean) encode(text, true)} puts {@code <s>} in front when {@code add_bos_token}
 *       (InternLM2Tokenizer's default is true) and {@code </s>} at the end when {@code add_eos_token}.</li>
 * </ol>
 * Decoding follows {@code SentencePieceProcessor::Decode}: {@code ▁} becomes a space; runs of byte pieces are
 * decoded as UTF-8 where every byte that does not start a complete valid character becomes its own U+FFFD; CONTROL
 * pieces give nothing and UNKNOWN gives the unk surface unless the piece is registered as an added token (then its
 * text is emitted, as transformers does); with {@code add_dummy_prefix} or {@code remove_extra_whitespaces}, the
 * {@code ▁} of the first piece of a run is dropped. Added tokens split runs. Finally, when
 * {@link Builder#cleanUpTokenizationSpaces} is on, transformers' {@code clean_up_tokenization} is applied to the
 * whole text ({@code " ." -> "."}, {@code " n't" -> "n't"}, ...): InternLM2Tokenizer's
 * {@code convert_tokens_to_string} calls it unconditionally, so {@link #loadDirectory} turns it on for that class.
 *
 * <h2>Verified and not verified</h2>
 * Against the real SentencePiece library (google/sentencepiece built to WebAssembly, {@code @sctg/sentencepiece-js}
 * 1.3.3), on 25 hard strings (CJK, emoji, byte fallback, whitespace runs, digits, accents, code): identical ids on
 * InternLM2's vocabulary (92,544 pieces) rebuilt as a {@code tokenizer.model} from its published tokenizer.json,
 * which transformers.js encodes identically too ({@code InternLm2TokenizerParityTest};
 * {@code tools/sentencepiece-reference} makes the fixture), and identical ids on a real {@code tokenizer.model} as
 * the protobuf library wrote it (LLaMA's, 32,000 pieces, with add_dummy_prefix; checked once, 22 Nov 2026, not
 * committed for its licence). The published tokenizer.json has no Prepend and no whitespace collapsing, that is
 * add_dummy_prefix and remove_extra_whitespaces false, which agrees with the InternVL2 token dumps seen
 * ({@code <|im_start|>user\n} = {@code 92543, 1008, 364}); the flags are read from the file in any case, and a
 * character map would be refused at load. Not reproduced, deliberately, because they cannot change a chat answer
 * (special tokens skipped, text split at {@code <|im_end|>}, stripped): the space {@code convert_tokens_to_string}
 * inserts before a special token when special tokens are not skipped, and the spaces
 * {@code spaces_between_special_tokens} puts around non-special added tokens.
 */
public final class SentencePieceBpeTokenizer implements Tokenizer {

    private static final String SPACE = "\u2581"; // ▁
    private static final char SPACE_CHAR = '\u2581';

    private final SentencePieceModel model;
    private final String[] pieceText;
    private final SentencePieceModel.Type[] types;
    private final float[] scores;
    private final Map<String, Integer> pieces = new HashMap<>();   // NORMAL, USER_DEFINED, UNUSED
    private final Map<String, Integer> reserved = new HashMap<>(); // CONTROL, UNKNOWN, BYTE
    private final int unkId;
    private final int[] byteToId = new int[256];
    private final int[] idToByte;
    private final AddedTokenSplitter userDefined;
    private final boolean hasUserDefined;

    private final Map<Integer, AddedToken> addedById = new HashMap<>();
    private final Map<String, AddedToken> addedByContent = new LinkedHashMap<>();
    private final AddedTokenSplitter addedSplitter;
    private final int[] prefix, suffix;
    private final boolean cleanUp;
    private final int size;
    /** LlamaTokenizer's {@code legacy} (true unless a config says false; see {@link Builder#legacy}). */
    private final boolean legacy;
    private final boolean addPrefixSpace;
    /** SentencePiece's add_dummy_prefix as in effect: the model's flag, forced off when not legacy. */
    private final boolean dummyPrefix;
    private final String unkText;
    private final int unkPieces;
    private final java.util.Set<String> specialTokensMap;

    /** Options of the Hugging Face layer. */
    public static final class Builder {
        private final SentencePieceModel model;
        private final List<AddedToken> added = new ArrayList<>();
        private boolean addBos = true, addEos = false, cleanUp = false, legacy = true, addPrefixSpace = true;
        private String unkToken = "<unk>";
        private final java.util.Set<String> specialTokensMap = new java.util.LinkedHashSet<>();

        private Builder(SentencePieceModel model) {
            this.model = model;
        }

        /** Added tokens; an id inside the piece range overrides that piece (InternLM2's chat tokens do). */
        public Builder addedTokens(List<AddedToken> tokens) {
            added.addAll(tokens);
            return this;
        }

        /** {@code add_bos_token}: {@code encode(text, true)} starts with the model's bos id. Default true. */
        public Builder addBos(boolean v) {
            addBos = v;
            return this;
        }

        /** {@code add_eos_token}: {@code encode(text, true)} ends with the model's eos id. Default false. */
        public Builder addEos(boolean v) {
            addEos = v;
            return this;
        }

        /** Apply transformers' {@code clean_up_tokenization} to decoded text. Default false. */
        public Builder cleanUpTokenizationSpaces(boolean v) {
            cleanUp = v;
            return this;
        }

        /**
         * transformers' LlamaTokenizer {@code legacy} (default true, as transformers takes a missing value). False
         * selects the rules of its {@code tokenize}/{@code _tokenize} for that mode: SentencePiece runs with
         * add_dummy_prefix off; {@code ▁} + the text (a {@code ▁} inside the text becomes a space) is split at added
         * tokens; a chunk that starts with {@code ▁} or a space is encoded as unk_token + chunk with the unk
         * token's pieces dropped (so the space becomes part of the first piece and no dummy prefix is added), other
         * chunks as they are; a lone leading {@code ▁} before a token of the special-tokens map is dropped. So text
         * after a chat token gets no extra {@code ▁}, unlike legacy mode, where every chunk gets the dummy prefix.
         */
        public Builder legacy(boolean v) {
            legacy = v;
            return this;
        }

        /** LlamaTokenizer's {@code add_prefix_space} (default true): the {@code ▁} put in front when not legacy. */
        public Builder addPrefixSpace(boolean v) {
            addPrefixSpace = v;
            return this;
        }

        /** The unk token's text (default {@code <unk>}), which non-legacy encoding puts in front of a chunk. */
        public Builder unkToken(String v) {
            unkToken = v;
            return this;
        }

        /**
         * The contents of the special-tokens map (bos, eos, unk, pad, sep, cls, mask and additional_special_tokens):
         * transformers' {@code all_special_tokens}, which decides whether a leading lone {@code ▁} is dropped in
         * non-legacy mode. An added token flagged special but not in the map does not count.
         */
        public Builder specialTokensMap(java.util.Collection<String> v) {
            specialTokensMap.addAll(v);
            return this;
        }

        public SentencePieceBpeTokenizer build() {
            return new SentencePieceBpeTokenizer(this);
        }
    }

    public static Builder builder(SentencePieceModel model) {
        return new Builder(model);
    }

    /**
     * Loads a Hugging Face tokenizer directory: {@code tokenizer.model}, and if present {@code tokenizer_config.json}
     * ({@code added_tokens_decoder}, {@code add_bos_token} (default true), {@code add_eos_token}, the
     * bos/eos/unk/pad token strings, {@code tokenizer_class}) and {@code added_tokens.json} (content to id).
     */
    public static SentencePieceBpeTokenizer loadDirectory(Path dir) {
        SentencePieceModel m = SentencePieceModel.load(dir.resolve("tokenizer.model"));
        Builder b = builder(m);
        ObjectMapper json = new ObjectMapper();
        Map<String, AddedToken> byContent = new LinkedHashMap<>();
        JsonNode cfg = json.createObjectNode();
        try {
            Path cfgPath = dir.resolve("tokenizer_config.json");
            if (Files.exists(cfgPath)) cfg = json.readTree(cfgPath.toFile());
            for (Iterator<Map.Entry<String, JsonNode>> it = cfg.path("added_tokens_decoder").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode n = e.getValue();
                boolean special = n.path("special").asBoolean(false);
                AddedToken t = new AddedToken(Integer.parseInt(e.getKey()), n.path("content").asText(), special,
                        n.path("lstrip").asBoolean(false), n.path("rstrip").asBoolean(false),
                        n.path("single_word").asBoolean(false), n.path("normalized").asBoolean(!special));
                byContent.putIfAbsent(t.content(), t);
            }
            Path addedPath = dir.resolve("added_tokens.json");
            if (Files.exists(addedPath)) {
                for (Iterator<Map.Entry<String, JsonNode>> it = json.readTree(addedPath.toFile()).fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    byContent.putIfAbsent(e.getKey(), AddedToken.special(e.getValue().asInt(), e.getKey()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer files in " + dir, e);
        }
        // transformers registers the bos/eos/unk/pad tokens as special added tokens when they are in the vocabulary.
        String[][] specials = {{"bos_token", "<s>"}, {"eos_token", "</s>"}, {"unk_token", "<unk>"}, {"pad_token", "</s>"}};
        for (String[] s : specials) {
            JsonNode v = cfg.path(s[0]);
            String content = v.isTextual() ? v.asText() : v.isObject() ? v.path("content").asText(s[1]) : v.isNull() ? null : s[1];
            if (content == null || byContent.containsKey(content)) continue;
            for (int id = 0; id < m.pieces().size(); id++) {
                if (m.pieces().get(id).piece().equals(content)) {
                    byContent.put(content, AddedToken.special(id, content));
                    break;
                }
            }
        }
        b.addedTokens(new ArrayList<>(byContent.values()));
        b.specialTokensMap(specialTokensMap(cfg, dir, json));
        JsonNode unk = cfg.path("unk_token");
        if (unk.isTextual()) b.unkToken(unk.asText());
        else if (unk.isObject() && unk.path("content").isTextual()) b.unkToken(unk.path("content").asText());
        b.addBos(cfg.path("add_bos_token").asBoolean(true));
        b.addEos(cfg.path("add_eos_token").asBoolean(false));
        String cls = cfg.path("tokenizer_class").asText("");
        boolean internlm2 = cls.startsWith("InternLM2Tokenizer")
                || cfg.path("auto_map").toString().contains("InternLM2Tokenizer");
        b.cleanUpTokenizationSpaces(internlm2 || cfg.path("clean_up_tokenization_spaces").asBoolean(false));
        // Only LlamaTokenizer (and its CodeLlama subclass) reads "legacy"; InternLM2Tokenizer has no such option.
        if (cls.startsWith("LlamaTokenizer") || cls.startsWith("CodeLlamaTokenizer")) {
            b.legacy(cfg.path("legacy").asBoolean(true) || cfg.path("legacy").isNull());
            b.addPrefixSpace(cfg.path("add_prefix_space").asBoolean(true) || cfg.path("add_prefix_space").isNull());
        }
        return b.build();
    }

    /**
     * transformers' special-tokens map, from tokenizer_config.json and special_tokens_map.json (the latter wins, as
     * from_pretrained lets it): the named special tokens and additional_special_tokens, as text.
     */
    private static List<String> specialTokensMap(JsonNode cfg, Path dir, ObjectMapper json) {
        Map<String, JsonNode> named = new LinkedHashMap<>();
        JsonNode additional = cfg.path("additional_special_tokens");
        String[] names = {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"};
        for (String n : names) if (!cfg.path(n).isMissingNode()) named.put(n, cfg.path(n));
        Path mapPath = dir.resolve("special_tokens_map.json");
        if (Files.exists(mapPath)) {
            try {
                JsonNode map = json.readTree(mapPath.toFile());
                for (String n : names) if (!map.path(n).isMissingNode()) named.put(n, map.path(n));
                if (map.has("additional_special_tokens")) additional = map.path("additional_special_tokens");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + mapPath, e);
            }
        }
        List<String> out = new ArrayList<>();
        for (JsonNode v : named.values()) addTokenText(v, out);
        for (JsonNode v : additional) addTokenText(v, out);
        return out;
    }

    private static void addTokenText(JsonNode v, List<String> out) {
        if (v.isTextual()) out.add(v.asText());
        else if (v.isObject() && v.path("content").isTextual()) out.add(v.path("content").asText());
    }

    private SentencePieceBpeTokenizer(Builder b) {
        this.model = b.model;
        SentencePieceModel.Trainer tr = model.trainer();
        if (tr.modelType() != SentencePieceModel.BPE) {
            throw new IllegalArgumentException("not a BPE SentencePiece model (model_type " + tr.modelType() + ")");
        }
        SentencePieceModel.NormalizerSpec ns = model.normalizer();
        if (ns.precompiledCharsmap().length > 0) {
            throw new IllegalArgumentException("SentencePiece normalizer '" + ns.name()
                    + "' has a precompiled character map, which is not supported (only identity normalization is)");
        }
        if (tr.treatWhitespaceAsSuffix()) throw new IllegalArgumentException("treat_whitespace_as_suffix is not supported");
        int n = model.pieces().size();
        pieceText = new String[n];
        types = new SentencePieceModel.Type[n];
        scores = new float[n];
        idToByte = new int[n];
        java.util.Arrays.fill(byteToId, -1);
        java.util.Arrays.fill(idToByte, -1);
        int unk = -1;
        List<AddedToken> userSymbols = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SentencePieceModel.Piece p = model.pieces().get(i);
            pieceText[i] = p.piece();
            types[i] = p.type();
            scores[i] = p.score();
            boolean normal = switch (p.type()) {
                case NORMAL, USER_DEFINED, UNUSED -> true;
                default -> false;
            };
            if ((normal ? pieces : reserved).putIfAbsent(p.piece(), i) != null) {
                throw new IllegalArgumentException("SentencePiece piece '" + p.piece() + "' is defined twice");
            }
            switch (p.type()) {
                case USER_DEFINED -> userSymbols.add(new AddedToken(i, p.piece(), false, false, false, false, false));
                case UNKNOWN -> {
                    if (unk >= 0) throw new IllegalArgumentException("SentencePiece model defines <unk> twice");
                    unk = i;
                }
                case BYTE -> {
                    if (!tr.byteFallback()) {
                        throw new IllegalArgumentException("byte piece " + p.piece() + " in a model without byte_fallback");
                    }
                    int v = pieceToByte(p.piece());
                    if (v < 0) throw new IllegalArgumentException("malformed byte piece " + p.piece());
                    byteToId[v] = i;
                    idToByte[i] = v;
                }
                default -> { }
            }
        }
        if (unk < 0) throw new IllegalArgumentException("SentencePiece model has no <unk> piece");
        unkId = unk;
        if (tr.byteFallback()) {
            for (int v = 0; v < 256; v++) {
                if (byteToId[v] < 0) throw new IllegalArgumentException(String.format("byte piece <0x%02X> is missing", v));
            }
        }
        userDefined = new AddedTokenSplitter(userSymbols, c -> c);
        hasUserDefined = !userSymbols.isEmpty();

        int maxId = n - 1;
        for (AddedToken t : b.added) {
            if (addedByContent.containsKey(t.content())) continue;
            addedByContent.put(t.content(), t);
            addedById.put(t.id(), t);
            maxId = Math.max(maxId, t.id());
        }
        size = maxId + 1;
        addedSplitter = new AddedTokenSplitter(new ArrayList<>(addedByContent.values()), c -> c);
        prefix = b.addBos ? new int[]{requireId(tr.bosId(), "bos")} : new int[0];
        suffix = b.addEos ? new int[]{requireId(tr.eosId(), "eos")} : new int[0];
        cleanUp = b.cleanUp;
        legacy = b.legacy;
        addPrefixSpace = b.addPrefixSpace;
        dummyPrefix = legacy && model.normalizer().addDummyPrefix();
        unkText = b.unkToken;
        specialTokensMap = java.util.Set.copyOf(b.specialTokensMap);
        IntList unkIds = new IntList(8);
        encodeChunk(unkText, unkIds);
        unkPieces = unkIds.size();
    }

    private int requireId(int id, String what) {
        if (id < 0 || id >= pieceText.length) throw new IllegalArgumentException("the model has no " + what + " piece");
        return id;
    }

    /** {@code <0x41>} to 0x41, or -1. */
    static int pieceToByte(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') return -1;
        try {
            return Integer.parseInt(piece.substring(3, 5), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ---- encoding -------------------------------------------------------------------------------------------------

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        IntList out = new IntList(text.length() / 2 + 4);
        if (addSpecialTokens) out.addAll(prefix);
        if (legacy || text.isEmpty()) {
            for (AddedTokenSplitter.Piece p : addedSplitter.split(text, 0, text.length())) {
                if (p.isToken()) out.add(p.tokenId());
                else encodeChunk(text.substring(p.start(), p.end()), out);
            }
        } else {
            encodeNonLegacy(text, out);
        }
        if (addSpecialTokens) out.addAll(suffix);
        return out.toArray();
    }

    /** LlamaTokenizer's tokenize with legacy false (the rules are listed at {@link Builder#legacy}). */
    private void encodeNonLegacy(String text, IntList out) {
        String t = text.replace(SPACE_CHAR, ' ');
        if (addPrefixSpace) t = SPACE + t;
        int first = out.size();
        List<AddedTokenSplitter.Piece> parts = addedSplitter.split(t, 0, t.length());
        IntList chunk = new IntList(16);
        for (AddedTokenSplitter.Piece p : parts) {
            if (p.isToken()) {
                out.add(p.tokenId());
                continue;
            }
            String c = t.substring(p.start(), p.end());
            if (c.isEmpty()) continue;
            if (c.charAt(0) == SPACE_CHAR || c.charAt(0) == ' ') {
                // the unk text keeps SentencePiece from treating the leading space as the start of its input
                chunk.clear();
                encodeChunk(unkText + c, chunk);
                int[] ids = chunk.toArray();
                for (int i = Math.min(unkPieces, ids.length); i < ids.length; i++) out.add(ids[i]);
            } else {
                encodeChunk(c, out);
            }
        }
        if (out.size() - first > 1 && SPACE.equals(pieceTextOf(out.get(first))) && specialTokensMap.contains(token(out.get(first + 1)))) {
            out.removeAt(first);
        }
    }

    private String pieceTextOf(int id) {
        return addedById.containsKey(id) || id >= pieceText.length ? null : pieceText[id];
    }

    /** The pieces (as strings) SentencePiece produces for one chunk without added tokens; for tests and tools. */
    public List<String> encodeAsPieces(String chunk) {
        IntList ids = new IntList(16);
        encodeChunk(chunk, ids);
        List<String> out = new ArrayList<>();
        for (int id : ids.toArray()) out.add(pieceText[id]);
        return out;
    }

    /** SentencePiece's normalizer on one chunk (identity character map). */
    String normalize(String input) {
        SentencePieceModel.NormalizerSpec ns = model.normalizer();
        boolean removeExtra = ns.removeExtraWhitespaces();
        int i = 0, end = input.length();
        if (removeExtra) {
            while (i < end && input.charAt(i) == ' ') i++;
        }
        if (i == end) return "";
        StringBuilder sb = new StringBuilder(input.length() + 4);
        if (dummyPrefix) sb.append(ns.escapeWhitespaces() ? SPACE : " ");
        boolean prevSpace = removeExtra;
        while (i < end) {
            int len;
            String unit;
            int userEnd = hasUserDefined ? userDefined.longestMatchAt(input, i, end) : -1;
            if (userEnd > 0) {
                len = userEnd - i;
                unit = input.substring(i, userEnd);
            } else {
                int cp = input.codePointAt(i);
                len = Character.charCount(cp);
                unit = (len == 1 && Character.isSurrogate(input.charAt(i))) ? "\uFFFD" : input.substring(i, i + len);
            }
            // Removes the heading spaces of this unit when the previous one ended with a space.
            int k = 0;
            if (prevSpace) {
                while (k < unit.length() && unit.charAt(k) == ' ') k++;
            }
            if (k < unit.length()) {
                for (int j = k; j < unit.length(); j++) {
                    char c = unit.charAt(j);
                    sb.append(ns.escapeWhitespaces() && c == ' ' ? SPACE_CHAR : c);
                }
                prevSpace = unit.charAt(unit.length() - 1) == ' ';
            }
            if (!removeExtra) prevSpace = false;
            i += len;
        }
        if (removeExtra) {
            char space = ns.escapeWhitespaces() ? SPACE_CHAR : ' ';
            while (sb.length() > 0 && sb.charAt(sb.length() - 1) == space) sb.setLength(sb.length() - 1);
        }
        return sb.toString();
    }

    private record Candidate(float score, int left, int right, int size) {}

    private void encodeChunk(String chunk, IntList out) {
        String norm = normalize(chunk);
        if (norm.isEmpty()) return;
        // Initial symbols: user-defined symbols (frozen) and single characters.
        int cap = norm.length();
        int[] start = new int[cap], end = new int[cap], prev = new int[cap], next = new int[cap];
        boolean[] freeze = new boolean[cap];
        int n = 0;
        for (int i = 0; i < norm.length(); ) {
            int userEnd = hasUserDefined ? userDefined.longestMatchAt(norm, i, norm.length()) : -1;
            int len = userEnd > 0 ? userEnd - i : Character.charCount(norm.codePointAt(i));
            start[n] = i;
            end[n] = i + len;
            freeze[n] = userEnd > 0;
            prev[n] = n - 1;
            next[n] = -1;
            if (n > 0) next[n - 1] = n;
            n++;
            i += len;
        }
        // Highest score first; the leftmost pair on equal scores (bpe_model.cc's SymbolPairComparator).
        PriorityQueue<Candidate> agenda = new PriorityQueue<>((a, b2) -> a.score != b2.score
                ? Float.compare(b2.score, a.score) : Integer.compare(a.left, b2.left));
        Map<String, String[]> revMerge = new HashMap<>();
        for (int i = 0; i + 1 < n; i++) addCandidate(norm, i, i + 1, start, end, freeze, agenda, revMerge);
        while (!agenda.isEmpty()) {
            Candidate top = agenda.poll();
            int l = top.left, r = top.right;
            // Gone: one side was emptied by another merge, or grew so the pair is no longer this piece.
            if (start[l] == end[l] || start[r] == end[r] || (end[l] - start[l]) + (end[r] - start[r]) != top.size) continue;
            end[l] = end[r];
            start[r] = end[r]; // empty
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            if (prev[l] >= 0) addCandidate(norm, prev[l], l, start, end, freeze, agenda, revMerge);
            if (next[l] >= 0) addCandidate(norm, l, next[l], start, end, freeze, agenda, revMerge);
        }
        for (int i = 0; i >= 0; i = next[i]) resegment(norm.substring(start[i], end[i]), revMerge, out);
    }

    private void addCandidate(String norm, int l, int r, int[] start, int[] end, boolean[] freeze,
                              PriorityQueue<Candidate> agenda, Map<String, String[]> revMerge) {
        if (freeze[l] || freeze[r]) return;
        String merged = norm.substring(start[l], end[r]);
        Integer id = pieces.get(merged);
        if (id == null) return;
        agenda.add(new Candidate(scores[id], l, r, end[r] - start[l]));
        if (types[id] == SentencePieceModel.Type.UNUSED) {
            revMerge.put(merged, new String[]{norm.substring(start[l], end[l]), norm.substring(start[r], end[r])});
        }
    }

    /** Emits the ids of a final symbol: UNUSED pieces split back, unknown symbols to bytes or unk. */
    private void resegment(String w, Map<String, String[]> revMerge, IntList out) {
        int id = pieceToId(w);
        if (types[id] == SentencePieceModel.Type.UNUSED) {
            String[] parts = revMerge.get(w);
            if (parts != null) {
                resegment(parts[0], revMerge, out);
                resegment(parts[1], revMerge, out);
                return;
            }
        }
        if (id == unkId && model.trainer().byteFallback()) {
            for (byte x : Utf8.encode(w)) out.add(byteToId[x & 0xFF]);
            return;
        }
        out.add(id);
    }

    /** {@code ModelInterface::PieceToId}: reserved pieces first, then normal ones, else unk. */
    private int pieceToId(String w) {
        Integer id = reserved.get(w);
        if (id == null) id = pieces.get(w);
        return id == null ? unkId : id;
    }

    // ---- decoding -------------------------------------------------------------------------------------------------

    private void checkId(int id) {
        if (id < 0 || id >= size || (id >= pieceText.length && !addedById.containsKey(id))) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size " + size + ")");
        }
    }

    private boolean stripsBosSpace() {
        // legacy false: SentencePiece's own strip is off with the dummy prefix, but convert_tokens_to_string drops
        // the first token's ▁ when add_prefix_space (once per run between added tokens, as _decode calls it per run)
        return (legacy ? dummyPrefix : addPrefixSpace) || model.normalizer().removeExtraWhitespaces();
    }

    /**
     * Surface of a non-byte SentencePiece piece ({@code DecodeSentencePiece}); {@code isBosWs} asks to drop one
     * leading {@code ▁}. Returns the text; {@code consumed[0]} reports whether a leading {@code ▁} was dropped and
     * counts as "bos whitespace seen" (not with remove_extra_whitespaces, which drops all leading whitespace).
     */
    private String pieceSurface(int id, boolean isBosWs, boolean[] consumed) {
        consumed[0] = false;
        String p = pieceText[id];
        if (types[id] == SentencePieceModel.Type.CONTROL) return "";
        if (types[id] == SentencePieceModel.Type.UNKNOWN) return model.trainer().unkSurface();
        if (isBosWs && stripsBosSpace() && p.startsWith(SPACE)) {
            p = p.substring(1);
            consumed[0] = !model.normalizer().removeExtraWhitespaces();
        }
        return p.replace(SPACE_CHAR, ' ');
    }

    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        StringBuilder text = new StringBuilder();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // State of the current SentencePiece run (a run ends at an added token).
        boolean isBosWs = true, bosWsSeen = false;
        int runStart = 0;
        boolean[] consumed = new boolean[1];
        for (int id : ids) {
            checkId(id);
            if (skipSpecial && isSpecial(id)) continue;
            AddedToken added = addedById.get(id);
            if (added != null) {
                flushBytes(bytes, text);
                text.append(added.content());
                isBosWs = true;
                bosWsSeen = false;
                runStart = text.length();
            } else if (idToByte[id] >= 0) {
                bytes.write(idToByte[id]);
            } else {
                flushBytes(bytes, text);
                if (bosWsSeen || text.length() > runStart) isBosWs = false;
                text.append(pieceSurface(id, isBosWs, consumed));
                bosWsSeen = consumed[0];
            }
        }
        flushBytes(bytes, text);
        return cleanUp ? cleanUpTokenization(text.toString()) : text.toString();
    }

    private static void flushBytes(ByteArrayOutputStream bytes, StringBuilder text) {
        if (bytes.size() == 0) return;
        byte[] b = bytes.toByteArray();
        text.append(Utf8.decodePerByte(b, 0, b.length));
        bytes.reset();
    }

    /**
     * transformers' {@code PreTrainedTokenizerBase.clean_up_tokenization}: the same chain of literal replacements,
     * in the same order ({@link String#replace} is leftmost and non-overlapping, like Python's {@code str.replace}).
     */
    public static String cleanUpTokenization(String s) {
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }

    /** Characters that occur in some clean-up pattern; text can be cleaned independently on either side of any other. */
    private static boolean inCleanUpAlphabet(char c) {
        return switch (c) {
            case ' ', '.', '?', '!', ',', '\'', 'n', 't', 'm', 's', 'v', 'e', 'r' -> true;
            default -> false;
        };
    }

    @Override
    public StreamingDecoder streamingDecoder(boolean skipSpecial) {
        return new StreamingDecoder() {
            private final Utf8.PerByteStream bytes = new Utf8.PerByteStream();
            private boolean isBosWs = true, bosWsSeen = false, runEmpty = true;
            private final boolean[] consumed = new boolean[1];
            /** Raw text not yet cleaned up (only used with clean-up). */
            private final StringBuilder pending = new StringBuilder();

            @Override
            public String push(int id) {
                checkId(id);
                if (skipSpecial && isSpecial(id)) return "";
                StringBuilder raw = new StringBuilder();
                AddedToken added = addedById.get(id);
                if (added != null) {
                    raw.append(bytes.finish());
                    raw.append(added.content());
                    isBosWs = true;
                    bosWsSeen = false;
                    runEmpty = true;
                } else if (idToByte[id] >= 0) {
                    String s = bytes.append(idToByte[id]);
                    raw.append(s);
                    if (!s.isEmpty()) runEmpty = false;
                } else {
                    String s = bytes.finish();
                    raw.append(s);
                    if (!s.isEmpty()) runEmpty = false;
                    if (bosWsSeen || !runEmpty) isBosWs = false;
                    String surface = pieceSurface(id, isBosWs, consumed);
                    bosWsSeen = consumed[0];
                    raw.append(surface);
                    if (!surface.isEmpty()) runEmpty = false;
                }
                return emit(raw, false);
            }

            @Override
            public String flush() {
                StringBuilder raw = new StringBuilder(bytes.finish());
                String out = emit(raw, true);
                isBosWs = true;
                bosWsSeen = false;
                runEmpty = true;
                return out;
            }

            /** Passes raw text through clean-up, holding back what a later character could still change. */
            private String emit(StringBuilder raw, boolean atEnd) {
                if (!cleanUp) return raw.toString();
                pending.append(raw);
                int cut = atEnd ? pending.length() : -1;
                if (!atEnd) {
                    for (int i = pending.length() - 1; i >= 0; i--) {
                        if (!inCleanUpAlphabet(pending.charAt(i))) {
                            cut = i + 1;
                            break;
                        }
                    }
                    if (cut < 0) return "";
                }
                String out = cleanUpTokenization(pending.substring(0, cut));
                pending.delete(0, cut);
                return out;
            }
        };
    }

    // ---- vocabulary -----------------------------------------------------------------------------------------------

    @Override
    public int tokenId(String token) {
        AddedToken a = addedByContent.get(token);
        if (a != null) return a.id();
        Integer id = reserved.get(token);
        if (id == null) id = pieces.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public String token(int id) {
        AddedToken a = addedById.get(id);
        if (a != null) return a.content();
        return id >= 0 && id < pieceText.length ? pieceText[id] : null;
    }

    @Override
    public int vocabSize() {
        return size;
    }

    /** Special: a CONTROL or UNKNOWN piece, or an added token flagged special. */
    @Override
    public boolean isSpecial(int id) {
        AddedToken a = addedById.get(id);
        if (a != null) return a.special();
        if (id < 0 || id >= types.length) return false;
        return types[id] == SentencePieceModel.Type.CONTROL || types[id] == SentencePieceModel.Type.UNKNOWN;
    }

    @Override
    public int[] prefixTokens() {
        return prefix.clone();
    }

    @Override
    public int[] suffixTokens() {
        return suffix.clone();
    }

    /** The underlying model. */
    public SentencePieceModel model() {
        return model;
    }
}
