package org.tessera.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.tessera.model.generate.GenerationConfig;
import org.tessera.model.llm.LanguageModel;
import org.tessera.model.text.ChatTemplate;
import org.tessera.model.text.Turn;
import org.tessera.vision.tiling.TilePlan;

/**
 * One multi-turn conversation. Each turn writes the whole conversation as the reference {@code chat()} does with
 * its {@code history} (earlier questions and answers, then the new question) and every image of the session in
 * order; the KV cache keeps the positions the new prompt shares with what it already holds, so a turn only
 * processes what is new. Images are encoded once, when they are added.
 *
 * <p>Images added with {@link #addImage} join the next question: with none before, one image goes in front as
 * {@code <image>\n} (as {@code chat()} does), several are numbered {@code Image-N: <image>\n} across the session.
 *
 * <p>Thread-safe in the sense that calls are serialised: a session is one conversation, one turn at a time.
 */
public final class ChatSession {
    private final VisionLanguageModel vlm;
    private Tiling tiling;
    private Sampling sampling;
    private final List<Turn> history = new ArrayList<>();
    private final List<EncodedImage> images = new ArrayList<>();
    private final List<ImageInput> pending = new ArrayList<>();
    private LanguageModel.Cache cache;
    /** The ids whose keys and values the cache holds, position by position. */
    private int[] cached = new int[0];

    ChatSession(VisionLanguageModel vlm, Tiling tiling, Sampling sampling) {
        this.vlm = vlm;
        this.tiling = Objects.requireNonNull(tiling, "tiling");
        this.sampling = Objects.requireNonNull(sampling, "sampling");
    }

    /** Adds an image to the next question (it is decoded and encoded when the question is sent). */
    public synchronized ChatSession addImage(ImageInput image) {
        pending.add(Objects.requireNonNull(image, "image"));
        return this;
    }

    /** Tiling for images added from now on. */
    public synchronized void setTiling(Tiling t) { this.tiling = Objects.requireNonNull(t, "tiling"); }

    /** Sampling for the next turns. */
    public synchronized void setSampling(Sampling s) { this.sampling = Objects.requireNonNull(s, "sampling"); }

    /** Sends a question and returns the answer. */
    public Answer send(String question) {
        return send(question, GenerationListener.NONE);
    }

    /** Sends a question, streaming the answer through {@code listener}. */
    public synchronized Answer send(String question, GenerationListener listener) {
        Objects.requireNonNull(question, "question");
        GenerationListener l = listener == null ? GenerationListener.NONE : listener;
        GenerationConfig cfg = sampling.over(vlm.generationDefaults());
        long t0 = System.nanoTime();
        List<ImageInput> adding = List.copyOf(pending);
        pending.clear(); // an image that fails to load is reported once, not retried on every later turn
        List<EncodedImage> fresh = vlm.encode(vlm.prepare(adding, false, tiling), l);
        long visionNanos = System.nanoTime() - t0;
        List<EncodedImage> all = new ArrayList<>(images);
        all.addAll(fresh);
        String q = question;
        int placeholders = count(q, ChatTemplate.IMAGE_PLACEHOLDER);
        if (placeholders == 0 && !fresh.isEmpty() && !(history.isEmpty() && images.isEmpty() && fresh.size() == 1)) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < fresh.size(); i++) {
                sb.append("Image-").append(images.size() + i + 1).append(": ").append(ChatTemplate.IMAGE_PLACEHOLDER).append('\n');
            }
            q = sb + q;
        }
        // A first turn with one image and no placeholder: chat() itself prepends "<image>\n" (history None).
        ChatTemplate.Query query = vlm.template().query(history.isEmpty() ? null : history, q, VisionLanguageModel.layouts(all));
        int[] ids = vlm.tokenizer().encode(query.text(), true);
        if (cache == null) cache = vlm.model().language().newCache(ids.length + cfg.maxNewTokens());
        int reuse = commonPrefix(cached, ids);
        VisionLanguageModel.Turned r = vlm.run(ids, all, cache, reuse, cfg, l);
        // The cache now holds the prompt and every generated token but the last.
        int[] gen = r.result().tokens();
        int kept = Math.max(0, gen.length - 1);
        cached = Arrays.copyOf(ids, ids.length + kept);
        System.arraycopy(gen, 0, cached, ids.length, kept);
        if (cache.length() != cached.length) cached = Arrays.copyOf(cached, Math.min(cached.length, cache.length()));
        images.addAll(fresh);
        history.add(new Turn(query.question(), r.text()));
        return r.answer(fresh, visionNanos);
    }

    /** Forgets the conversation and its images; keeps the cache's memory. */
    public synchronized void reset() {
        history.clear();
        images.clear();
        pending.clear();
        cached = new int[0];
        if (cache != null) cache.clear();
    }

    /** The finished turns, questions as the template saw them ({@code <image>} placeholders included). */
    public synchronized List<Turn> history() { return List.copyOf(history); }

    /** The plans of the session's images, in order. */
    public synchronized List<TilePlan> plans() {
        List<TilePlan> out = new ArrayList<>();
        for (EncodedImage e : images) out.add(e.plan());
        return out;
    }

    /** Images waiting for the next question. */
    public synchronized int pendingImages() { return pending.size(); }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length), i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) n++;
        return n;
    }
}
