package org.tessera.model.generate;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.tessera.model.ModelException;

/**
 * Picks the next token from a row of logits, with Hugging Face {@code generate()} semantics and in its order:
 * repetition penalty, then temperature, top-k, top-p, then a draw (or argmax when the temperature is 0).
 *
 * <ul>
 *   <li>Repetition penalty (CTRL, HF {@code RepetitionPenaltyLogitsProcessor}): each distinct id in the history
 *       has its logit divided by the penalty when positive and multiplied when negative, once however often it
 *       occurred. It applies before greedy too, as in HF, so it changes greedy output.</li>
 *   <li>Top-p (HF {@code TopPLogitsWarper}): the smallest most-likely prefix whose cumulative probability reaches
 *       top_p is kept, never less than one token. Ties in the logits are broken by the lower id, so the result
 *       does not depend on sort stability.</li>
 * </ul>
 *
 * <p>The caller's logits are never modified (the model's decode buffer is handed in directly). Work arrays are kept
 * between calls, so a step allocates nothing once they have grown to the vocabulary. Same seed and same inputs give
 * the same draws. Not thread-safe: one sampler per generation.
 */
public final class Sampler {
    private final GenerationConfig cfg;
    private final SplittableRandom random;
    private float[] work = new float[0];
    private long[] order = new long[0];
    private double[] probs = new double[0];
    // Marks ids already penalized in this step; a stamp per step avoids clearing the array each time.
    private int[] seen = new int[0];
    private int stamp;

    public Sampler(GenerationConfig cfg) {
        this.cfg = cfg;
        this.random = new SplittableRandom(cfg.seed());
    }

    public GenerationConfig config() { return cfg; }

    /** Next token from {@code logits[0, vocab)}, with no history (no repetition penalty). */
    public int sample(float[] logits, int vocab) {
        return sample(logits, vocab, null, 0);
    }

    /**
     * Next token from {@code logits[0, vocab)}, penalizing the ids in {@code history[0, historyLength)}.
     *
     * @throws ModelException when the logits contain NaN or are all -inf (a broken model, not a sampling choice)
     */
    public int sample(float[] logits, int vocab, int[] history, int historyLength) {
        if (vocab < 1 || vocab > logits.length) throw new IllegalArgumentException("vocab " + vocab + " does not fit logits of length " + logits.length);
        if (historyLength < 0 || historyLength > (history == null ? 0 : history.length)) {
            throw new IllegalArgumentException("history length " + historyLength + " exceeds the history array");
        }
        float[] x = logits;
        if (cfg.repetitionPenalty() != 1 && historyLength > 0) {
            x = penalize(logits, vocab, history, historyLength);
        }
        int best = argmax(x, vocab);
        if (!cfg.sampling()) return best;
        return draw(x, vocab, x[best]);
    }

    /** The logits after the repetition penalty (a copy), for tests and diagnostics. */
    float[] penalized(float[] logits, int vocab, int[] history, int historyLength) {
        return Arrays.copyOf(penalize(logits, vocab, history, historyLength), vocab);
    }

    private float[] penalize(float[] logits, int vocab, int[] history, int n) {
        if (work.length < vocab) {
            work = new float[vocab];
            seen = new int[vocab];
            stamp = 0;
        }
        System.arraycopy(logits, 0, work, 0, vocab);
        if (++stamp == 0) { // wrapped: reset so old stamps cannot collide
            Arrays.fill(seen, 0);
            stamp = 1;
        }
        float r = (float) cfg.repetitionPenalty();
        for (int i = 0; i < n; i++) {
            int id = history[i];
            if (id < 0 || id >= vocab) throw new IllegalArgumentException("history holds token id " + id + " outside the vocabulary [0, " + vocab + ")");
            if (seen[id] == stamp) continue;
            seen[id] = stamp;
            float l = work[id];
            work[id] = l > 0 ? l / r : l * r;
        }
        return work;
    }

    /** The highest logit's id, lowest id on ties (torch.argmax's choice); rejects NaN and all -inf rows. */
    static int argmax(float[] x, int vocab) {
        int best = 0;
        float m = Float.NEGATIVE_INFINITY;
        boolean any = false;
        for (int i = 0; i < vocab; i++) {
            float v = x[i];
            if (Float.isNaN(v)) throw new ModelException("logits hold NaN at token " + i + "; the model output is broken");
            if (v > m || (!any && v == m)) {
                m = v;
                best = i;
                any = true;
            }
        }
        if (m == Float.NEGATIVE_INFINITY) throw new ModelException("every logit is -inf; no token can be chosen");
        return best;
    }

    private int draw(float[] x, int vocab, float max) {
        if (probs.length < vocab) probs = new double[vocab];
        double invT = 1.0 / cfg.temperature();
        int k = cfg.topK() == 0 ? vocab : Math.min(cfg.topK(), vocab);
        if (k == vocab && cfg.topP() >= 1) {
            // No filter: draw straight from the softmax in id order; no sorting needed.
            double total = 0;
            for (int i = 0; i < vocab; i++) {
                // Subtracting the max before scaling keeps exp() finite even for tiny temperatures (no inf - inf).
                double p = Math.exp((x[i] - max) * invT);
                probs[i] = p;
                total += p;
            }
            return pick(probs, null, vocab, total);
        }
        int n = sortedCandidates(x, vocab, k);
        double total = 0;
        for (int j = 0; j < n; j++) {
            double p = Math.exp((x[id(order[j])] - max) * invT);
            probs[j] = p;
            total += p;
        }
        if (cfg.topP() < 1) {
            // Keep the prefix up to and including the token whose cumulative probability reaches top_p.
            double target = cfg.topP() * total, cum = 0;
            int keep = n;
            for (int j = 0; j < n; j++) {
                cum += probs[j];
                if (cum >= target) {
                    keep = j + 1;
                    break;
                }
            }
            n = keep;
            total = 0;
            for (int j = 0; j < n; j++) total += probs[j];
        }
        return pick(probs, order, n, total);
    }

    /** Draws index j with probability probs[j] / total; maps it through {@code order} when given. */
    private int pick(double[] p, long[] ids, int n, double total) {
        double u = random.nextDouble() * total;
        double cum = 0;
        int last = -1;
        for (int j = 0; j < n; j++) {
            if (p[j] <= 0) continue;
            last = j;
            cum += p[j];
            if (u < cum) return ids == null ? j : id(ids[j]);
        }
        // Rounding can leave u just above the final sum: the last token with any mass is the right answer then.
        return ids == null ? last : id(ids[last]);
    }

    /**
     * Fills {@code order[0, n)} with the top {@code k} ids by logit, most likely first, ties by lower id; returns n.
     * Each entry packs a descending-sortable key of the logit in the high half and the id in the low half, so one
     * primitive sort orders them.
     */
    private int sortedCandidates(float[] x, int vocab, int k) {
        if (order.length < vocab) order = new long[vocab];
        if (k == vocab) {
            for (int i = 0; i < vocab; i++) order[i] = pack(x[i], i);
            Arrays.sort(order, 0, vocab);
            return vocab;
        }
        // Top-k by a heap of the k best seen so far whose root is the worst of them (the largest packed value):
        // O(vocab · log k) instead of sorting the whole vocabulary for every token.
        int size = 0;
        for (int i = 0; i < vocab; i++) {
            long e = pack(x[i], i);
            if (size < k) {
                int c = size++;
                while (c > 0) {
                    int parent = (c - 1) >>> 1;
                    if (order[parent] >= e) break;
                    order[c] = order[parent];
                    c = parent;
                }
                order[c] = e;
            } else if (e < order[0]) {
                siftDown(e, k);
            }
        }
        Arrays.sort(order, 0, k);
        return k;
    }

    private void siftDown(long e, int size) {
        int c = 0;
        while (true) {
            int l = 2 * c + 1;
            if (l >= size) break;
            int r = l + 1;
            int big = r < size && order[r] > order[l] ? r : l;
            if (order[big] <= e) break;
            order[c] = order[big];
            c = big;
        }
        order[c] = e;
    }

    private static long pack(float v, int id) {
        int bits = Float.floatToIntBits(v);
        int key = bits < 0 ? bits ^ 0x7fffffff : bits; // monotone in v as a signed int
        return ((long) ~key << 32) | (id & 0xffffffffL); // ~key: larger logits sort first
    }

    private static int id(long packed) {
        return (int) packed;
    }
}
