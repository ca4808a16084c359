package org.tessera.data.soup;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tessera.api.Answer;
import org.tessera.api.ImageInput;
import org.tessera.api.Request;
import org.tessera.api.Sampling;
import org.tessera.api.VisionLanguageModel;
import org.tessera.data.DataException;
import org.tessera.data.Jsonl;
import org.tessera.data.ppl.Perplexity;

/**
 * The scorers this module brings, over a held-out JSONL whose lines are {@code {"image": PATH (optional, relative to
 * the file), "question": TEXT, "answer": TEXT}} (or {@code "caption"} in place of question and answer: the caption
 * is the answer to POINTS' caption prompt):
 * <ul>
 *   <li>{@code perplexity}: corpus perplexity of the answers by teacher forcing, exp(Σ nll / Σ tokens); lower is
 *       better;</li>
 *   <li>{@code exact-match}: the fraction of greedy answers equal to the reference after trimming, lower-casing and
 *       dropping one trailing period; higher is better.</li>
 * </ul>
 */
public final class BuiltinScorers implements SoupScorer.Factory {
    @Override
    public List<String> kinds() {
        return List.of("perplexity", "exact-match");
    }

    @Override
    public SoupScorer create(String kind, Path evalData) {
        List<Item> items = read(evalData);
        return switch (kind) {
            case "perplexity" -> new Scorer(items, false, "held-out perplexity on " + evalData.getFileName());
            case "exact-match" -> new Scorer(items, true, "exact match on " + evalData.getFileName());
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
    }

    /** One held-out question. */
    record Item(Path image, String question, String answer) {}

    static List<Item> read(Path file) {
        Path root = file.toAbsolutePath().getParent();
        List<Item> out = new ArrayList<>();
        for (Jsonl.Line l : Jsonl.read(file, null)) {
            String place = file.getFileName() + ":" + l.number();
            JsonNode n = l.value();
            Path image = null;
            if (n.hasNonNull("image")) {
                image = root.resolve(n.get("image").asText());
                if (!Files.isRegularFile(image)) throw new DataException(place + ": image " + n.get("image").asText() + " not found");
            }
            String q, a;
            if (n.hasNonNull("caption")) {
                q = Perplexity.POINTS_PROMPT;
                a = n.get("caption").asText();
            } else {
                if (!n.hasNonNull("question") || !n.hasNonNull("answer")) throw new DataException(place + ": needs \"question\" and \"answer\" (or \"caption\")");
                q = n.get("question").asText();
                a = n.get("answer").asText();
            }
            out.add(new Item(image, q, a));
        }
        if (out.isEmpty()) throw new DataException(file + ": no held-out items");
        return out;
    }

    static String normalise(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        if (t.endsWith(".")) t = t.substring(0, t.length() - 1).strip();
        return t;
    }

    private record Scorer(List<Item> items, boolean exactMatch, String describe) implements SoupScorer {
        @Override
        public double score(Path dir) {
            try (VisionLanguageModel vlm = VisionLanguageModel.load(dir)) {
                if (exactMatch) {
                    int right = 0;
                    for (Item it : items) {
                        int max = vlm.tokenizer().encode(it.answer(), false).length + 8;
                        Answer a = vlm.ask(request(it).withSampling(Sampling.greedy(max)));
                        if (normalise(a.text()).equals(normalise(it.answer()))) right++;
                    }
                    return (double) right / items.size();
                }
                Perplexity p = new Perplexity(vlm);
                List<Perplexity.Score> scores = new ArrayList<>();
                for (Item it : items) scores.add(p.score(request(it), it.answer()));
                return Perplexity.corpus(scores);
            }
        }

        private static Request request(Item it) {
            Request r = Request.of(it.question());
            return it.image() == null ? r : r.withImage(ImageInput.file(it.image()));
        }

        @Override
        public boolean higherIsBetter() {
            return exactMatch;
        }
    }
}
