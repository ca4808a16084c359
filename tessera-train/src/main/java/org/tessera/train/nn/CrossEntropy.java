package org.tessera.train.nn;

import org.tessera.core.Parallel;

/**
 * Softmax cross-entropy of logit rows against target ids, {@code −log softmax(z)[y]} per row, summed. Rows are only
 * the supervised positions (the caller gathers them: answer tokens, with prompt and image positions masked out).
 */
public final class CrossEntropy {
    private CrossEntropy() {}

    /**
     * The summed loss over {@code rows} rows of {@code logits [rows, vocab]}; overwrites {@code logits} with
     * {@code scale·(softmax − onehot)}, the gradient of {@code scale·loss}, when {@code grad} (else leaves them).
     */
    public static double lossAndGrad(float[] logits, int rows, int vocab, int[] targets, float scale, boolean grad) {
        double[] losses = new double[rows];
        Parallel.BlockBody body = (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * vocab, y = targets[r];
                if (y < 0 || y >= vocab) throw new IllegalArgumentException("target " + y + " outside [0, " + vocab + ")");
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < vocab; j++) max = Math.max(max, logits[o + j]);
                double sum = 0;
                for (int j = 0; j < vocab; j++) sum += Math.exp(logits[o + j] - max);
                double lse = max + Math.log(sum);
                losses[r] = lse - logits[o + y];
                if (grad) {
                    for (int j = 0; j < vocab; j++) logits[o + j] = (float) (scale * Math.exp(logits[o + j] - lse));
                    logits[o + y] -= scale;
                }
            }
        };
        if ((long) rows * vocab < 1 << 15) body.run(0, rows);
        else Parallel.forBlocks(rows, body);
        double total = 0;
        for (double l : losses) total += l;
        return total;
    }
}
