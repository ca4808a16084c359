package org.tessera.api;

import java.util.List;
import org.tessera.vision.tiling.TilePlan;

/**
 * What one call produced.
 *
 * @param text             the answer as the reference {@code chat()} returns it: cut at the stop token, stripped
 * @param finishReason     why generation ended
 * @param promptTokens     tokens of the prompt (image tokens included)
 * @param completionTokens tokens generated (a final stop token included)
 * @param plans            the tile plan of each image of this call, in order
 * @param visionNanos      decoding, tiling and encoding the images
 * @param prefillNanos     processing the prompt up to the first generated token
 * @param decodeNanos      generating the tokens after the first
 */
public record Answer(String text, FinishReason finishReason, int promptTokens, int completionTokens, List<TilePlan> plans,
                     long visionNanos, long prefillNanos, long decodeNanos) {

    public Answer {
        plans = List.copyOf(plans);
    }

    /** Why generation ended. */
    public enum FinishReason {
        /** The model ended its turn (stop token) or a stop string appeared. */
        STOP,
        /** The token budget ({@code maxNewTokens}) or the model's context ran out. */
        LENGTH,
        /** The caller cancelled (e.g. a client disconnected). */
        CANCELLED
    }

    /** Image tiles encoded for this call. */
    public int tiles() {
        return plans.stream().mapToInt(p -> p.tiles().size()).sum();
    }

    /** Prompt tokens processed per second. */
    public double prefillTokensPerSecond() {
        return prefillNanos <= 0 ? 0 : promptTokens * 1e9 / prefillNanos;
    }

    /** Tokens generated per second after the first. */
    public double decodeTokensPerSecond() {
        return completionTokens <= 1 || decodeNanos <= 0 ? 0 : (completionTokens - 1) * 1e9 / decodeNanos;
    }
}
