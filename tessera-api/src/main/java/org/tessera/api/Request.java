package org.tessera.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One question about zero or more images (or the frames of a video).
 *
 * <p>Prompts follow the model cards: one image is put before the question ({@code <image>\n}); several images are
 * numbered ({@code Image-1: <image>\nImage-2: <image>\n}); video frames are numbered {@code Frame1: <image>\n} and
 * get one tile each. A question that writes its own {@code <image>} placeholders places the images itself.
 *
 * @param question the user's text
 * @param images   images in order, or video frames when {@code video}
 * @param video    the images are frames of one video (one tile each, {@code FrameN:} prefixes)
 * @param tiling   how to tile the images
 * @param sampling how to generate
 */
public record Request(String question, List<ImageInput> images, boolean video, Tiling tiling, Sampling sampling) {

    public Request {
        Objects.requireNonNull(question, "question");
        images = List.copyOf(images);
        if (tiling == null) tiling = Tiling.MODEL_DEFAULT;
        if (sampling == null) sampling = Sampling.MODEL_DEFAULT;
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
        return new Request(question, l, video, tiling, sampling);
    }

    public Request withImage(Path file) { return withImage(ImageInput.file(file)); }

    public Request withImages(List<ImageInput> l) { return new Request(question, l, video, tiling, sampling); }

    /** The images are the frames of one video, in order (sample them first, e.g. with VideoFrames.sample). */
    public Request withVideoFrames(List<ImageInput> frames) { return new Request(question, frames, true, tiling, sampling); }

    public Request withTiling(Tiling t) { return new Request(question, images, video, t, sampling); }

    public Request withSampling(Sampling s) { return new Request(question, images, video, tiling, s); }

    public Request withMaxNewTokens(int n) { return withSampling(sampling.withMaxNewTokens(n)); }
}
