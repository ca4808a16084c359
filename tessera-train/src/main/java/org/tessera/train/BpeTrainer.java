package org.tessera.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tessera.model.text.ByteLevelBpeTokenizer;

/**
 * Learns a byte-level BPE tokenizer from text and writes it as a Hugging Face {@code tokenizer.json} of the Qwen2
 * shape (NFC, the Qwen2 split pattern, which keeps every digit a token of its own, ByteLevel), plus the
 * {@code tokenizer_config.json} InternVL checkpoints carry. The 256 byte tokens come first (id = byte value), then
 * one token per merge, then InternVL's added tokens, so any text can be encoded, seen in training or not.
 *
 * <p>Training is the classic greedy procedure: count adjacent symbol pairs over the distinct words (weighted by
 * how often each word occurs), merge the most frequent pair everywhere, repeat. Ties go to the pair whose two
 * strings compare smallest, so the result depends on the text alone.
 */
public final class BpeTrainer {

    /** InternVL's added tokens for Qwen2-style checkpoints, in the order they get ids. */
    public static final List<String> INTERNVL_ADDED_TOKENS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>",
            "<ref>", "</ref>", "<box>", "</box>", "<quad>", "</quad>", "<img>", "</img>", "<IMG_CONTEXT>");

    private final Map<String, Long> wordCounts = new HashMap<>();

    /** Counts the words of {@code text}, {@code times} times over. */
    public void add(String text, long times) {
        for (String w : ByteLevelBpeTokenizer.qwen2Words(text)) wordCounts.merge(w, times, Long::sum);
    }

    public void add(String text) {
        add(text, 1);
    }

    /** A learned tokenizer: merges in rank order (each as "left right") and the vocabulary they make. */
    public record Result(List<String> merges, Map<String, Integer> vocab) {
        public int addedTokenId(String content) {
            return vocab.size() + INTERNVL_ADDED_TOKENS.indexOf(content);
        }

        public int size() {
            return vocab.size() + INTERNVL_ADDED_TOKENS.size();
        }
    }

    /** Learns up to {@code maxMerges} merges; stops early when no pair occurs at least {@code minCount} times. */
    public Result train(int maxMerges, long minCount) {
        List<String> symbols = new ArrayList<>();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            String s = ByteLevelBpeTokenizer.toByteLevel(new byte[] {(byte) b});
            vocab.put(s, b);
            symbols.add(s);
        }
        List<int[]> words = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        wordCounts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String w = e.getKey();
            int[] ids = new int[w.length()];
            for (int i = 0; i < ids.length; i++) ids[i] = vocab.get(String.valueOf(w.charAt(i)));
            words.add(ids);
            counts.add(e.getValue());
        });
        List<String> merges = new ArrayList<>();
        for (int m = 0; m < maxMerges; m++) {
            Map<Long, Long> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                int[] ids = words.get(w);
                for (int i = 0; i + 1 < ids.length; i++) pairs.merge(key(ids[i], ids[i + 1]), counts.get(w), Long::sum);
            }
            long bestKey = -1, bestCount = 0;
            for (Map.Entry<Long, Long> e : pairs.entrySet()) {
                long c = e.getValue();
                if (c > bestCount || (c == bestCount && c > 0 && comparePairs(e.getKey(), bestKey, symbols) < 0)) {
                    bestKey = e.getKey();
                    bestCount = c;
                }
            }
            if (bestKey < 0 || bestCount < minCount) break;
            int a = (int) (bestKey >>> 32), b = (int) bestKey;
            String merged = symbols.get(a) + symbols.get(b);
            if (vocab.containsKey(merged)) {
                // Two different pairs can spell the same string; BPE keeps one id per string.
                replace(words, a, b, vocab.get(merged));
                merges.add(symbols.get(a) + " " + symbols.get(b));
                continue;
            }
            int id = symbols.size();
            symbols.add(merged);
            vocab.put(merged, id);
            merges.add(symbols.get(a) + " " + symbols.get(b));
            replace(words, a, b, id);
        }
        return new Result(List.copyOf(merges), vocab);
    }

    private static void replace(List<int[]> words, int a, int b, int id) {
        for (int w = 0; w < words.size(); w++) {
            int[] ids = words.get(w);
            int n = 0;
            int[] out = ids;
            boolean changed = false;
            for (int i = 0; i < ids.length; i++) {
                if (i + 1 < ids.length && ids[i] == a && ids[i + 1] == b) {
                    if (!changed) {
                        out = ids.clone();
                        changed = true;
                    }
                    out[n++] = id;
                    i++;
                } else {
                    out[n++] = ids[i];
                }
            }
            if (changed) words.set(w, java.util.Arrays.copyOf(out, n));
        }
    }

    private static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    private static int comparePairs(long x, long y, List<String> symbols) {
        int c = symbols.get((int) (x >>> 32)).compareTo(symbols.get((int) (y >>> 32)));
        return c != 0 ? c : symbols.get((int) x).compareTo(symbols.get((int) y));
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}. */
    public static void write(Result r, Path dir) {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode t = om.createObjectNode();
        t.put("version", "1.0");
        t.putNull("truncation");
        t.putNull("padding");
        ArrayNode added = t.putArray("added_tokens");
        for (String a : INTERNVL_ADDED_TOKENS) {
            added.addObject().put("id", r.addedTokenId(a)).put("content", a).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        t.putObject("normalizer").put("type", "NFC");
        ObjectNode pre = t.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode pres = pre.putArray("pretokenizers");
        ObjectNode split = pres.addObject().put("type", "Split");
        split.putObject("pattern").put("Regex", ByteLevelBpeTokenizer.QWEN2_SPLIT_REGEX);
        split.put("behavior", "Isolated").put("invert", false);
        byteLevel(pres.addObject());
        byteLevel(t.putObject("post_processor"));
        byteLevel(t.putObject("decoder"));
        ObjectNode model = t.putObject("model").put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "").put("end_of_word_suffix", "").put("fuse_unk", false)
                .put("byte_fallback", false).put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        r.vocab().forEach(vocab::put);
        ArrayNode merges = model.putArray("merges");
        r.merges().forEach(merges::add);

        ObjectNode cfg = om.createObjectNode();
        cfg.put("add_bos_token", false).put("add_prefix_space", false).putNull("bos_token");
        cfg.put("eos_token", "<|im_end|>").put("pad_token", "<|endoftext|>").putNull("unk_token");
        cfg.put("model_max_length", 4096).put("clean_up_tokenization_spaces", false)
                .put("tokenizer_class", "Qwen2Tokenizer").put("split_special_tokens", false);
        ObjectNode decoder = cfg.putObject("added_tokens_decoder");
        for (String a : INTERNVL_ADDED_TOKENS) {
            decoder.putObject(String.valueOf(r.addedTokenId(a))).put("content", a).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        ArrayNode extra = cfg.putArray("additional_special_tokens");
        INTERNVL_ADDED_TOKENS.stream().filter(a -> !a.equals("<|endoftext|>")).forEach(extra::add);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("tokenizer.json"), om.writeValueAsString(t), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("tokenizer_config.json"), om.writeValueAsString(cfg), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tokenizer to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void byteLevel(ObjectNode n) {
        n.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false).put("use_regex", false);
    }
}
