package org.tessera.data.soup;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.tessera.data.AtomicFiles;
import org.tessera.data.DataException;
import org.tessera.data.Jsonl;

/**
 * {@code tessera soup}: POINTS' model soup over checkpoints fine-tuned from one model.
 * <ul>
 *   <li>{@code uniform}: the average of all checkpoints;</li>
 *   <li>{@code greedy} (Wortsman et al. 2022, recipe 1; POINTS' choice): every checkpoint is scored on the held-out
 *       data; starting from the best, each next one in order of its score is added if the soup with it scores
 *       strictly better than the soup without it, and left out otherwise (later ones are still tried);</li>
 *   <li>{@code best}: the best-scoring single checkpoint.</li>
 * </ul>
 * Every candidate soup is written to a hidden directory beside the output and scored there; the chosen one is renamed
 * to {@code --out}, which gets a {@code soup.json} report (method, scorer, each checkpoint's score, every greedy
 * step). The output directory must not exist, or be empty, or {@code force} replaces it.
 */
public final class Soup {
    public enum Method {
        UNIFORM, GREEDY, BEST;

        public static Method parse(String s) {
            for (Method m : values()) if (m.name().equalsIgnoreCase(s)) return m;
            throw new IllegalArgumentException("unknown soup method '" + s + "' (known: uniform, greedy, best)");
        }
    }

    /** One greedy step: the checkpoint tried, the soup's score with it, whether it stayed. */
    public record Step(Path added, double score, boolean kept) {}

    /** What was made: the checkpoints in the soup, the scores, the steps. */
    public record Result(List<Path> ingredients, List<Double> individualScores, Double finalScore, List<Step> steps) {}

    private Soup() {}

    public static Result run(Method method, List<Path> checkpoints, Path out, SoupScorer scorer, boolean force, PrintStream log) {
        if (checkpoints.isEmpty()) throw new IllegalArgumentException("no checkpoints given");
        if (method != Method.UNIFORM && scorer == null) {
            throw new IllegalArgumentException("the " + method.name().toLowerCase(Locale.ROOT) + " soup needs a scorer: --eval-data FILE --kind K");
        }
        Path target = out.toAbsolutePath().normalize();
        checkTarget(target, force);
        ModelSoup.checkCompatible(checkpoints);
        for (int i = 1; i < checkpoints.size(); i++) {
            if (!ModelSoup.sameConfig(checkpoints.get(0), checkpoints.get(i))) {
                log.println("tessera: warning: " + checkpoints.get(i) + "/config.json differs from " + checkpoints.get(0)
                        + "'s; the soup takes the first one's");
            }
        }
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + target.getParent() + ": " + e.getMessage(), e);
        }

        List<Double> individual = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        Path made;
        List<Path> chosen;
        Double finalScore = null;
        if (method == Method.UNIFORM) {
            chosen = List.copyOf(checkpoints);
            made = candidate(target, chosen);
        } else {
            for (Path c : checkpoints) {
                double s = scorer.score(c);
                log.printf(Locale.ROOT, "tessera: %s: %s = %.6g%n", c, scorer.describe(), s);
                individual.add(s);
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < checkpoints.size(); i++) order.add(i);
            Comparator<Integer> byScore = Comparator.comparingDouble(individual::get);
            order.sort(scorer.higherIsBetter() ? byScore.reversed() : byScore); // stable: ties keep the given order
            chosen = new ArrayList<>(List.of(checkpoints.get(order.get(0))));
            finalScore = individual.get(order.get(0));
            made = candidate(target, chosen);
            if (method == Method.GREEDY) {
                for (int k = 1; k < order.size(); k++) {
                    Path next = checkpoints.get(order.get(k));
                    List<Path> trial = new ArrayList<>(chosen);
                    trial.add(next);
                    Path dir = candidate(target, trial);
                    double s;
                    try {
                        s = scorer.score(dir);
                    } catch (RuntimeException e) {
                        AtomicFiles.deleteTree(dir);
                        AtomicFiles.deleteTree(made);
                        throw e;
                    }
                    boolean keep = scorer.better(s, finalScore);
                    log.printf(Locale.ROOT, "tessera: soup of %d + %s: %.6g (%s)%n", chosen.size(), next, s, keep ? "kept" : "left out");
                    steps.add(new Step(next, s, keep));
                    if (keep) {
                        AtomicFiles.deleteTree(made);
                        made = dir;
                        chosen = trial;
                        finalScore = s;
                    } else {
                        AtomicFiles.deleteTree(dir);
                    }
                }
            }
        }
        try {
            writeReport(made, method, scorer, checkpoints, individual, chosen, finalScore, steps);
            install(made, target, force);
        } catch (IOException e) {
            AtomicFiles.deleteTree(made);
            throw new UncheckedIOException("cannot finish the soup " + target + ": " + e.getMessage(), e);
        }
        return new Result(List.copyOf(chosen), List.copyOf(individual), finalScore, List.copyOf(steps));
    }

    /** The average of {@code parts} in a fresh hidden directory beside the target. */
    private static Path candidate(Path target, List<Path> parts) {
        Path dir = target.resolveSibling("." + target.getFileName() + ".candidate-" + Long.toHexString(System.nanoTime()));
        ModelSoup.average(parts, dir);
        return dir;
    }

    private static void checkTarget(Path target, boolean force) {
        if (!Files.exists(target) || force) return;
        if (!Files.isDirectory(target)) throw new DataException(target + " exists and is not a directory");
        try (Stream<Path> s = Files.list(target)) {
            if (s.findAny().isPresent()) throw new DataException(target + " is not empty (use --force to replace it)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + target + ": " + e.getMessage(), e);
        }
    }

    /** Renames the finished soup onto the target, replacing an empty (or, forced, any) directory there. */
    private static void install(Path made, Path target, boolean force) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + Long.toHexString(System.nanoTime()));
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(made, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (old != null) Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            throw e;
        }
        if (old != null) AtomicFiles.deleteTree(old);
    }

    private static void writeReport(Path dir, Method method, SoupScorer scorer, List<Path> all, List<Double> scores,
                                    List<Path> chosen, Double finalScore, List<Step> steps) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("method", method.name().toLowerCase(Locale.ROOT));
        if (scorer != null) {
            r.put("scorer", scorer.describe());
            r.put("higher_is_better", scorer.higherIsBetter());
        }
        ArrayNode cks = r.putArray("checkpoints");
        for (int i = 0; i < all.size(); i++) {
            ObjectNode c = cks.addObject().put("path", all.get(i).toAbsolutePath().normalize().toString());
            if (!scores.isEmpty()) c.put("score", scores.get(i));
            c.put("in_soup", chosen.contains(all.get(i)));
        }
        if (!steps.isEmpty()) {
            ArrayNode st = r.putArray("greedy_steps");
            for (Step s : steps) st.addObject().put("added", s.added().toString()).put("score", s.score()).put("kept", s.kept());
        }
        if (finalScore != null) r.put("score", finalScore);
        Jsonl.writePretty(dir.resolve("soup.json"), r);
    }
}
