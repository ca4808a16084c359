package org.tessera.api;

/**
 * Follows one call as it runs: encoder progress, prompt progress, the answer's text as it is generated, and a way
 * to stop early. Every method has a do-nothing default; callbacks run on the calling thread.
 */
public interface GenerationListener {

    /** The images' tiles are being encoded: {@code layersDone} of {@code layers} encoder layers over all {@code tiles}. */
    default void onVision(int tiles, int layersDone, int layers) {}

    /** {@code done} of {@code total} prompt tokens processed. */
    default void onPrompt(int done, int total) {}

    /** The next piece of the answer (whole UTF-8 characters; never part of a stop string). */
    default void onText(String piece) {}

    /** Polled between tokens: true stops generation (the answer so far is returned, finish reason CANCELLED). */
    default boolean cancelled() { return false; }

    /** A listener that only streams text. */
    static GenerationListener text(java.util.function.Consumer<String> onText) {
        return new GenerationListener() {
            @Override
            public void onText(String piece) { onText.accept(piece); }
        };
    }

    GenerationListener NONE = new GenerationListener() {};
}
