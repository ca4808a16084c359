package org.tessera.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.tessera.model.text.Turn;

/**
 * One question about zero or more images (or the frames of a video).
 *
 * <p>Prompts follow the model cards: one image is put before the question ({@code <image>\n}); several images are
 * numbered ({@code Image-1: <image>\nImage-2: <image>\n}); video frames are numbered {@code Frame1: <image>\n} and
 * get one tile each. A question that writes its own {@code <image>} placeholders places the images itself.
 *
 * <p>A request may carry a conversation: earlier turns ({@code history}, as {@code chat()}'s {@code history}) and a
 * system message replacing the template's. The images then fill the {@code <image>} placeholders of the whole
 * conversation in order, history first; when no placeholder is written anywhere, they belong to the question and are
 * placed as above. Stateless: each call processes the whole conversation (a {@link ChatSession} keeps its cache).
 *
 * @param question      the user's text
 * @param images        images in order, or video frames when {@code video}
 * @param video         the images are frames of one video (one tile each, {@code FrameN:} prefixes)
 * @param tiling        how to tile the images
 * @param sampling      how to generate
 * @param history       earlier turns of the conversation, oldest first (empty for a first question)
 * @param systemMessage replaces the template's system message; null keeps the model's
 */
public record Request(String question, List<ImageInput> images, boolean video, Tiling tiling, Sampling sampling,
                      List<Turn> history, String systemMessage) {

    public Request {
        Objects.requireNonNull(question, "question");
        images = List.copyOf(images);
        if (tiling == null) tiling = Tiling.MODEL_DEFAULT;
        if (sampling == null) sampling = Sampling.MODEL_DEFAULT;
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** A first question with the template's system message. */
    public Request(String question, List<ImageInput> images, boolean video, Tiling tiling, Sampling sampling) {
        this(question, images, video, tiling, sampling, List.of(), null);
    }

    /** A text-only question with the model's defaults. */
    public static Request of(String question) {
        return new Request(question, List.of(), false, Tiling.MODEL_DEFAULT, Sampling.MODEL_DEFAULT);
    }

    /** A question about one image file. */
    public static Request of(String question, Path image) {
        return of(question).withImage(ImageInput.file(image));
    }

    public Request withImage(ImageInput image) {
        List<ImageInput> l = new ArrayList<>(images);
        l.add(Objects.requireNonNull(image, "image"));
        return withImages(l);
    }

    public Request withImage(Path file) { return withImage(ImageInput.file(file)); }

    public Request withImages(List<ImageInput> l) { return new Request(question, l, video, tiling, sampling, history, systemMessage); }

    /** The images are the frames of one video, in order (sample them first, e.g. with VideoFrames.sample). */
    public Request withVideoFrames(List<ImageInput> frames) {
        return new Request(question, frames, true, tiling, sampling, history, systemMessage);
    }

    public Request withTiling(Tiling t) { return new Request(question, images, video, t, sampling, history, systemMessage); }

    public Request withSampling(Sampling s) { return new Request(question, images, video, tiling, s, history, systemMessage); }

    /** Earlier turns of the conversation, oldest first; their {@code <image>} placeholders take the first images. */
    public Request withHistory(List<Turn> h) { return new Request(question, images, video, tiling, sampling, h, systemMessage); }

    /** A system message in place of the template's (null: the model's own). */
    public Request withSystemMessage(String m) { return new Request(question, images, video, tiling, sampling, history, m); }

    public Request withMaxNewTokens(int n) { return withSampling(sampling.withMaxNewTokens(n)); }
}
