package org.tessera.model.generate;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.tessera.model.internvl.InternVLModel;
import org.tessera.model.llm.LanguageModel;
import org.tessera.model.text.StreamingDecoder;
import org.tessera.model.text.Tokenizer;

/**
 * Autoregressive generation on a language model: one prefill over the prompt, then one decode step per
 * token through the {@link LanguageModel.Cache}, until a stop token, a stop string, {@code maxNewTokens}, or the model's
 * context limit.
 *
 * <p>Text is streamed through a {@link StreamingDecoder} with special tokens skipped (as {@code chat()} decodes its
 * answer), so the callback only ever sees whole UTF-8 characters. Text that might be the start of a stop string is
 * held back until it is known not to be, so a stop string never reaches the callback; the concatenation of
 * everything streamed always equals {@link Result#text()}.
 *
 * <p>The repetition penalty applies to the generated tokens only: InternVL's {@code generate()} hands the language
 * model {@code inputs_embeds} and no {@code input_ids}, so in Hugging Face the penalty never sees the prompt either.
 *
 * <p>Stateless apart from the model and tokenizer; safe to share when each call uses its own cache.
 */
public final class Generator {
    private final LanguageModel model;
    private final Tokenizer tokenizer;

    public Generator(LanguageModel model, Tokenizer tokenizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    }

    public Generator(InternVLModel model, Tokenizer tokenizer) {
        this(model.language(), tokenizer);
    }

    /** Why generation ended. */
    public enum StopReason {
        /** A stop token was generated (it is the last id of {@link Result#tokens()}). */
        STOP_TOKEN,
        /** A stop string appeared in the text (the text ends before it). */
        STOP_STRING,
        /** {@code maxNewTokens} tokens were generated. */
        MAX_TOKENS,
        /** The sequence reached the model's {@code max_position_embeddings}. */
        CONTEXT_FULL,
        /** The caller's cancellation check said stop. */
        CANCELLED
    }

    /**
     * The outcome of one call.
     *
     * @param tokens        the generated ids, stop token included when that is what ended it
     * @param text          the decoded answer, special tokens skipped, cut before a stop string
     * @param stopReason    why it ended
     * @param promptTokens  positions prefilled by this call
     * @param prefillNanos  prefill plus choosing the first token
     * @param decodeNanos   every later decode step plus choosing its token
     */
    public record Result(int[] tokens, String text, StopReason stopReason, int promptTokens, long prefillNanos, long decodeNanos) {
        public int generatedTokens() { return tokens.length; }

        /** Decode throughput over the tokens after the first (which prefill produced); 0 when there were none. */
        public double decodeTokensPerSecond() {
            return tokens.length <= 1 || decodeNanos <= 0 ? 0 : (tokens.length - 1) * 1e9 / decodeNanos;
        }

        @Override
        public String toString() {
            return "Result[tokens=" + Arrays.toString(tokens) + ", text=" + text + ", stopReason=" + stopReason + ", promptTokens="
                    + promptTokens + ", prefillNanos=" + prefillNanos + ", decodeNanos=" + decodeNanos + "]";
        }
    }

    /** Generates after the prompt {@code ids} (embedded with the model's token embeddings; text-only prompts). */
    public Result generate(int[] promptIds, LanguageModel.Cache cache, GenerationConfig cfg, Consumer<String> onText) {
        if (promptIds.length == 0) throw new IllegalArgumentException("the prompt must hold at least one token");
        return generate(model.embed(promptIds), promptIds.length, cache, cfg, onText);
    }

    /**
     * Generates after a prompt given as embeddings {@code [promptTokens, hidden]}, e.g.
     * {@link InternVLModel#inputEmbeddings} with the image rows spliced in. The prompt is appended to whatever
     * {@code cache} already holds (earlier turns), and so are the generated tokens except the last one.
     *
     * @param onText receives each piece of final text as soon as it is known; may be null
     */
    public Result generate(float[] promptEmbeds, int promptTokens, LanguageModel.Cache cache, GenerationConfig cfg, Consumer<String> onText) {
        return generate(promptEmbeds, promptTokens, cache, cfg, onText, () -> false);
    }

    /**
     * As {@link #generate(float[], int, LanguageModel.Cache, GenerationConfig, Consumer)}, polling {@code cancelled}
     * before each decode step: when it says true, generation ends with {@link StopReason#CANCELLED} and what was
     * generated so far.
     */
    public Result generate(float[] promptEmbeds, int promptTokens, LanguageModel.Cache cache, GenerationConfig cfg, Consumer<String> onText,
                           java.util.function.BooleanSupplier cancelled) {
        Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(cancelled, "cancelled");
        Consumer<String> sink = onText == null ? s -> { } : onText;
        int vocab = model.vocabSize();
        Sampler sampler = new Sampler(cfg);
        StopText text = new StopText(cfg.stopStrings(), sink);
        StreamingDecoder decoder = tokenizer.streamingDecoder(true);
        int[] out = new int[Math.min(cfg.maxNewTokens(), 1024)];
        int n = 0;

        long t0 = System.nanoTime();
        float[] logits = model.prefill(promptEmbeds, promptTokens, cache);
        long t1 = 0;
        StopReason reason;
        while (true) {
            int token = sampler.sample(logits, vocab, out, n);
            if (n == 0) t1 = System.nanoTime();
            if (n == out.length) out = Arrays.copyOf(out, Math.min(cfg.maxNewTokens(), 2 * out.length));
            out[n++] = token;
            if (cfg.isStopToken(token)) {
                reason = StopReason.STOP_TOKEN;
                break;
            }
            if (text.append(decoder.push(token))) {
                reason = StopReason.STOP_STRING;
                break;
            }
            if (n == cfg.maxNewTokens()) {
                reason = StopReason.MAX_TOKENS;
                break;
            }
            if (cache.length() >= cache.maxLength()) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            if (cancelled.getAsBoolean()) {
                reason = StopReason.CANCELLED;
                break;
            }
            // The last token is only fed back when another will follow: no wasted forward pass at the end.
            logits = model.decode(token, cache);
        }
        // The decoder may still hold an unfinished character or text awaiting context; it can complete a stop string.
        if (reason != StopReason.STOP_STRING && text.append(decoder.flush())) reason = StopReason.STOP_STRING;
        text.finish();
        long t2 = System.nanoTime();
        return new Result(Arrays.copyOf(out, n), text.text(), reason, promptTokens, t1 - t0, t2 - t1);
    }

    /**
     * The answer text so far, what has been streamed of it, and the stop-string search. Text is emitted up to the
     * longest suffix that could still grow into a stop string.
     */
    static final class StopText {
        private final List<String> stops;
        private final Consumer<String> sink;
        private final StringBuilder text = new StringBuilder();
        private final int longest;
        private int emitted;
        private boolean stopped;

        StopText(List<String> stops, Consumer<String> sink) {
            this.stops = stops;
            this.sink = sink;
            int l = 0;
            for (String s : stops) l = Math.max(l, s.length());
            this.longest = l;
        }

        /** Adds decoded text; returns true when a stop string now occurs (the text is then cut before it). */
        boolean append(String piece) {
            if (stopped || piece.isEmpty()) return stopped;
            // A new match must end inside the new piece, so it starts at most longest - 1 chars before it.
            int from = Math.max(0, text.length() - longest + 1);
            text.append(piece);
            int cut = -1;
            for (String s : stops) {
                int i = text.indexOf(s, from);
                if (i >= 0 && (cut < 0 || i < cut)) cut = i;
            }
            if (cut >= 0) {
                text.setLength(cut);
                stopped = true;
                emit(cut);
                return true;
            }
            emit(text.length() - heldBack());
            return false;
        }

        /** Length of the longest proper prefix of a stop string that the text ends with. */
        private int heldBack() {
            int best = 0;
            for (String s : stops) {
                for (int len = Math.min(s.length() - 1, text.length()); len > best; len--) {
                    if (endsWith(s, len)) {
                        best = len;
                        break;
                    }
                }
            }
            return best;
        }

        private boolean endsWith(String s, int len) {
            int off = text.length() - len;
            for (int i = 0; i < len; i++) if (text.charAt(off + i) != s.charAt(i)) return false;
            return true;
        }

        private void emit(int upTo) {
            // Never split a surrogate pair between two callbacks.
            if (upTo > emitted && upTo < text.length() && Character.isHighSurrogate(text.charAt(upTo - 1))) upTo--;
            if (upTo > emitted) {
                sink.accept(text.substring(emitted, upTo));
                emitted = upTo;
            }
        }

        /** No more text will come: what was held back as a possible stop-string start is emitted. */
        void finish() {
            emit(text.length());
        }

        String text() {
            return text.toString();
        }
    }
}
