package org.tessera.data.convert;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tessera.data.OnError;
import org.tessera.vision.tiling.MultiViewCanvas;
import org.tessera.vision.tiling.VideoFrames;

/** What {@code data convert} is asked to do; defaults as documented on each field. */
public final class ConvertOptions {
    public final Task task;
    public final Path input;
    public final Path images;
    public final Path out;

    /** Input kind; null: from the file name. */
    public InputFormat format;
    /** Dataset name in the meta file and the output file names; null: the output directory's name. */
    public String name;
    public OnError onError = OnError.FAIL;
    /** Field the converter reads → column of the input holding it. */
    public Map<String, String> columns = new LinkedHashMap<>();

    /** classification: the candidate labels in option order; null: every label in the input, in order of first use. */
    public List<String> labels;
    /** classification: options per question (true label plus random others); 0: all labels. */
    public int choices;
    /** classification: answer with the label text (false) or the option letter (true). */
    public boolean answerLetter;
    /** classification: the question before the options. */
    public String question = "What is the category of this image?";

    /** grounding / region from CSV or JSONL: how the four box numbers are meant (COCO is always xywh). */
    public PixelBox.Format boxFormat = PixelBox.Format.XYXY;
    /** region: draw the box on a copy of the image (true) or write its coordinates in the question (false). */
    public boolean drawRegion = true;

    /** multiview: camera labels, in canvas order. */
    public List<String> views = MultiViewCanvas.NUSCENES_ORDER;
    /** multiview: size each view is resized to, and views per canvas row (Mini-InternVL's driving layout). */
    public int viewWidth = 896;
    public int viewHeight = 448;
    public int viewColumns = 3;

    /** video: frames sampled per clip. */
    public int frames = VideoFrames.DEFAULT_FRAMES;

    /** Images the conversion makes (drawn regions, canvases): {@code jpg} (quality 0.95) or {@code png}. */
    public String imageFormat = "jpg";
    /** Seed for the classification distractors. */
    public long seed = 0;

    public ConvertOptions(Task task, Path input, Path images, Path out) {
        this.task = Objects.requireNonNull(task, "task");
        this.input = Objects.requireNonNull(input, "input");
        this.images = Objects.requireNonNull(images, "images");
        this.out = Objects.requireNonNull(out, "out");
    }
}
