package org.tessera.server;

import java.util.List;
import org.tessera.api.Answer;
import org.tessera.api.GenerationListener;
import org.tessera.api.Request;
import org.tessera.api.VisionLanguageModel;

/**
 * What the server asks: one call, any number at once from different threads, each with its own state.
 * {@link VisionLanguageModel} is the real one ({@link #of}); tests use fakes with controlled timing.
 */
public interface Engine {

    /** Answers {@code request}, streaming through {@code listener} and polling its {@code cancelled()}. */
    Answer ask(Request request, GenerationListener listener);

    /**
     * Texts the template cuts an answer at ({@code chat()} cuts at the separator even when it was spelled out of
     * ordinary tokens). The server adds them to every request's stop strings, so the streamed text never shows
     * what the final answer drops.
     */
    default List<String> stopTexts() {
        return List.of();
    }

    /** The engine of a loaded model. */
    static Engine of(VisionLanguageModel vlm) {
        String stop = vlm.template().stopToken();
        return new Engine() {
            @Override
            public Answer ask(Request request, GenerationListener listener) {
                return vlm.ask(request, listener);
            }

            @Override
            public List<String> stopTexts() {
                return List.of(stop);
            }
        };
    }
}
