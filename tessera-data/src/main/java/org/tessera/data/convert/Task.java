package org.tessera.data.convert;

import java.util.Locale;

/** The per-task formats of Mini-InternVL's domain adaptation, as {@code --task} names them. */
public enum Task {
    /** A multiple-choice question listing the candidate labels, answered with the label (or its letter). */
    CLASSIFICATION,
    /** {@code <ref>NAME</ref><box>[[x1, y1, x2, y2]]</box>} answers, coordinates normalised to 0–1000. */
    GROUNDING,
    /** A question about one region: the box drawn on a copy of the image, or its coordinates in the question. */
    REGION,
    /** Several camera views composed into one labelled canvas. */
    MULTIVIEW,
    /** Frames sampled from a video's frame directory, introduced as {@code Frame1: <image>} … */
    VIDEO,
    /** Question–answer pairs (or ready conversations) passed through. */
    VQA;

    /** The {@code --task} name. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Task parse(String s) {
        for (Task t : values()) if (t.cliName().equals(s.toLowerCase(Locale.ROOT))) return t;
        throw new IllegalArgumentException("unknown task '" + s + "' (known: classification, grounding, region, multiview, video, vqa)");
    }
}
