package org.tessera.data.ppl;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.tessera.api.ImageInput;
import org.tessera.api.PromptEmbeddings;
import org.tessera.api.Request;
import org.tessera.api.Tiling;
import org.tessera.api.VisionLanguageModel;
import org.tessera.model.llm.LanguageModel;

/**
 * The perplexity of a text given a prompt with images, by teacher forcing:
 * <pre>
 *   ids  = prompt ++ c₁ … c_N                 prompt: the chat template's user turn with the image and the
 *                                              question, and the open assistant turn; c: the caption's tokens
 *   nll  = −(1/N) Σᵢ log softmax(logits(ids₍&lt;i₎))[cᵢ]     (natural log, in double from float logits)
 *   ppl  = exp(nll)
 * </pre>
 * Only the caption's tokens are scored; the prompt only conditions them. The caption is tokenised on its own (no
 * special tokens) and appended to the prompt's ids, as POINTS' {@code pretrain_filtering_with_ppl.py} does, so a
 * token cannot merge across the prompt/caption boundary.
 *
 * <p>The default question is POINTS' ({@value #POINTS_PROMPT}), put in the checkpoint's own conversation template
 * (InternVL's {@code <image>\n} before it, the system message the model was trained with). Differences from that
 * script, by choice: it scores one more token, the end-of-turn {@code <|im_end|>} after the caption (here opt-in with
 * {@code scoreEnd}), and it rounds each probability to bfloat16 before the log (here full precision).
 *
 * <p>The prompt runs once through the language model's prefill; the caption's logits come from its forward in
 * chunks of {@value #CHUNK} positions, so memory stays near {@code CHUNK × vocab} floats whatever the caption's
 * length. Thread-safe: each call has its own cache.
 */
public final class Perplexity {
    /** POINTS' caption prompt. */
    public static final String POINTS_PROMPT = "please generate a caption for this image.";
    /** Caption positions whose logits are computed at once. */
    static final int CHUNK = 64;

    /** One pair's result: perplexity, the summed negative log-likelihood (nats) and the tokens scored. */
    public record Score(double ppl, double nll, int tokens) {}

    private final VisionLanguageModel vlm;
    private final String prompt;
    private final boolean scoreEnd;
    private final Tiling tiling;

    /**
     * @param prompt   the question the caption answers ({@link #POINTS_PROMPT} by default)
     * @param scoreEnd also score the template's end-of-turn token after the caption
     * @param tiling   how images are tiled ({@link Tiling#MODEL_DEFAULT}: the checkpoint's own settings)
     */
    public Perplexity(VisionLanguageModel vlm, String prompt, boolean scoreEnd, Tiling tiling) {
        this.vlm = Objects.requireNonNull(vlm, "vlm");
        this.prompt = Objects.requireNonNull(prompt, "prompt");
        this.scoreEnd = scoreEnd;
        this.tiling = tiling == null ? Tiling.MODEL_DEFAULT : tiling;
    }

    public Perplexity(VisionLanguageModel vlm) {
        this(vlm, POINTS_PROMPT, false, Tiling.MODEL_DEFAULT);
    }

    /** The perplexity of {@code caption} given one image and the prompt. */
    public Score score(ImageInput image, String caption) {
        return score(Request.of(prompt).withImage(image).withTiling(tiling), caption);
    }

    /** The perplexity of {@code text} as the answer to {@code request} (any images, any question). */
    public Score score(Request request, String text) {
        return score(vlm.embedPrompt(request), continuation(text));
    }

    /** The scored tokens of {@code text}: its own tokens (no special tokens), and the end-of-turn token if asked. */
    public int[] continuation(String text) {
        int[] c = vlm.tokenizer().encode(text, false);
        if (scoreEnd) {
            c = Arrays.copyOf(c, c.length + 1);
            c[c.length - 1] = vlm.template().stopTokenId(vlm.tokenizer());
        }
        if (c.length == 0) throw new IllegalArgumentException("the text has no tokens to score");
        return c;
    }

    /** Teacher forcing of {@code cont} after the prompt {@code pe}. */
    public Score score(PromptEmbeddings pe, int[] cont) {
        LanguageModel lm = vlm.model().language();
        int p = pe.length(), d = pe.hidden(), n = cont.length, vocab = lm.vocabSize();
        if (p < 1) throw new IllegalArgumentException("an empty prompt");
        if ((long) p + n > lm.maxPositions()) {
            throw new IllegalArgumentException("prompt (" + p + " tokens) and text (" + n + " tokens) exceed the model's "
                    + lm.maxPositions() + " positions");
        }
        LanguageModel.Cache cache = lm.newCache(p + n);
        if (p > 1) lm.prefill(Arrays.copyOf(pe.embeddings(), (p - 1) * d), p - 1, cache);
        // Position p-1 (the prompt's last token) predicts c₁; position p-1+i (token cᵢ) predicts cᵢ₊₁.
        float[] tokensIn = new float[n * d];
        System.arraycopy(pe.embeddings(), (p - 1) * d, tokensIn, 0, d);
        if (n > 1) lm.embed(Arrays.copyOf(cont, n - 1), tokensIn, d);
        double nll = 0;
        for (int t0 = 0; t0 < n; t0 += CHUNK) {
            int m = Math.min(CHUNK, n - t0);
            float[] logits = lm.forward(Arrays.copyOfRange(tokensIn, t0 * d, (t0 + m) * d), m, cache);
            for (int i = 0; i < m; i++) nll += negLogSoftmax(logits, i * vocab, vocab, cont[t0 + i]);
        }
        return new Score(Math.exp(nll / n), nll, n);
    }

    /** {@code −log softmax(row)[target]} = logsumexp(row) − row[target], in double. */
    static double negLogSoftmax(float[] logits, int off, int vocab, int target) {
        if (target < 0 || target >= vocab) throw new IllegalArgumentException("token " + target + " is outside the vocabulary of " + vocab);
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]);
        double sum = 0;
        for (int v = 0; v < vocab; v++) sum += Math.exp(logits[off + v] - max);
        return max + Math.log(sum) - logits[off + target];
    }

    /** Perplexity of several scores together: exp(Σ nll / Σ tokens), the corpus-level figure. */
    public static double corpus(List<Score> scores) {
        double nll = 0;
        long tokens = 0;
        for (Score s : scores) {
            nll += s.nll();
            tokens += s.tokens();
        }
        if (tokens == 0) throw new IllegalArgumentException("no tokens scored");
        return Math.exp(nll / tokens);
    }

    public String prompt() { return prompt; }

    public boolean scoresEnd() { return scoreEnd; }
}
