package org.tessera.data.soup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * A held-out score of a model directory, which greedy and best soups rank checkpoints by. Implementations load the
 * model at {@code dir}, run it over their data and return one number; {@link #higherIsBetter()} says which way is
 * better (accuracy up, perplexity down).
 *
 * <p>Scorers are found by {@code --kind} through {@link Factory} services ({@code META-INF/services/
 * org.tessera.data.soup.SoupScorer$Factory}), so a module on the class path (the evaluation runner) adds its kinds
 * without this module knowing it; such a factory wins over the built-in one for a kind both offer.
 */
public interface SoupScorer {

    /** The score of the model in {@code dir}. */
    double score(Path dir);

    /** True when a larger score is better. */
    boolean higherIsBetter();

    /** What is measured on what, for reports ("held-out perplexity on dev.jsonl"). */
    String describe();

    /** Whether {@code a} is strictly better than {@code b} by this scorer's direction. */
    default boolean better(double a, double b) {
        return higherIsBetter() ? a > b : a < b;
    }

    /** Makes scorers for the kinds it knows. */
    interface Factory {
        /** The {@code --kind} names this factory serves. */
        List<String> kinds();

        /** A scorer of {@code kind} over the held-out data {@code evalData}. */
        SoupScorer create(String kind, Path evalData);
    }

    /** The scorer for {@code kind}: a plug-in factory's first, else the built-in one; unknown kinds list the known. */
    static SoupScorer forKind(String kind, Path evalData) {
        Factory builtin = null;
        TreeSet<String> known = new TreeSet<>();
        List<Factory> factories = new ArrayList<>();
        for (Factory f : ServiceLoader.load(Factory.class)) factories.add(f);
        if (factories.stream().noneMatch(f -> f instanceof BuiltinScorers)) factories.add(new BuiltinScorers());
        for (Factory f : factories) {
            known.addAll(f.kinds());
            if (!f.kinds().contains(kind)) continue;
            if (f instanceof BuiltinScorers) builtin = f;
            else return f.create(kind, evalData);
        }
        if (builtin != null) return builtin.create(kind, evalData);
        throw new IllegalArgumentException("unknown --kind '" + kind + "' (known: " + String.join(", ", known) + ")");
    }
}
