package org.tessera.vision.tiling;

import java.util.ArrayList;
import java.util.List;

/**
 * Video as frames, as the InternVL model cards feed it: N frames sampled evenly (the middle of N equal segments),
 * each one 448 px tile (dynamic tiling with at most one tile, so no thumbnail), and a prompt that introduces them
 * as {@code Frame1: <image>\nFrame2: <image>\n...} before the question.
 */
public final class VideoFrames {
    /** The model card's default number of frames. */
    public static final int DEFAULT_FRAMES = 8;

    private VideoFrames() {}

    /**
     * The model card's {@code get_index} with no time bound: segment length {@code (last - 0) / n}, frame k at
     * {@code int(seg / 2 + round(seg * k))}, where round is NumPy's (half to even).
     */
    public static int[] sampleIndices(int frameCount, int numSegments) {
        if (frameCount < 1) throw new IllegalArgumentException("a video needs at least one frame");
        if (numSegments < 1) throw new IllegalArgumentException("--frames must be at least 1, got " + numSegments);
        double seg = (double) (frameCount - 1) / numSegments;
        int[] idx = new int[numSegments];
        for (int k = 0; k < numSegments; k++) {
            idx[k] = (int) (seg / 2 + Math.rint(seg * k));
        }
        return idx;
    }

    /** The text that stands for the frames in the question: one {@code FrameK: <image>} line per frame. */
    public static String promptPrefix(int frames) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= frames; i++) sb.append("Frame").append(i).append(": <image>\n");
        return sb.toString();
    }

    /** The frame files chosen from an ordered list. */
    public static <T> List<T> sample(List<T> frames, int numSegments) {
        List<T> out = new ArrayList<>();
        for (int i : sampleIndices(frames.size(), numSegments)) out.add(frames.get(i));
        return out;
    }
}
