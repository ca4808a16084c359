package org.tessera.data.convert;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.tessera.vision.image.RgbImage;
import org.tessera.vision.tiling.MultiViewCanvas;

/**
 * Multi-view rows (one path per camera, {@code question}, {@code answer}) as one labelled canvas each, the
 * tiling work's {@link MultiViewCanvas}: views resized to 896×448 (Pillow bicubic), labelled with their camera
 * names, three per row in {@code --views} order (default the six nuScenes cameras, front row then back), as
 * Mini-InternVL's driving data stitches them. A view's path is the row's field named after the camera (a CSV
 * column {@code CAM_FRONT}), or its entry in an {@code images} object ({@code {"images": {"CAM_FRONT": "…"}}}).
 */
final class MultiViewTask implements Converter.TaskConverter {
    private final ConvertOptions o;
    private final MultiViewCanvas canvas;

    MultiViewTask(ConvertOptions o) {
        this.o = o;
        if (o.views == null || o.views.isEmpty()) throw new IllegalArgumentException("--views needs at least one camera label");
        this.canvas = new MultiViewCanvas(o.viewWidth, o.viewHeight, o.viewColumns, true);
    }

    @Override
    public void convert(List<Row> rows, Converter.Context ctx) {
        for (Row row : rows) {
            ctx.each(row, () -> {
                String question = row.require("question");
                String answer = row.require("answer");
                JsonNode obj = row.get("images");
                List<String> paths = new ArrayList<>();
                for (String label : o.views) {
                    String p = obj != null && obj.isObject() ? text(obj.get(label)) : row.text(label);
                    if (p == null) throw new BadRow(row.place(), "no image for view " + label + " (views: " + String.join(", ", o.views) + ")");
                    paths.add(p);
                }
                List<MultiViewCanvas.View> views = new ArrayList<>();
                for (int i = 0; i < paths.size(); i++) views.add(new MultiViewCanvas.View(o.views.get(i), ctx.images.load(row.place(), paths.get(i))));
                RgbImage composed = canvas.compose(views);
                String rel = ctx.images.write(String.format("%06d", row.index()), composed);
                ctx.emit(Converter.single(ctx.id(row), rel, new ImageFiles.Size(composed.width(), composed.height()),
                        Converter.oneTurn("<image>\n" + question, answer)));
            });
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() || n.asText().isBlank() ? null : n.asText();
    }
}
