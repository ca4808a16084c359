package org.tessera.data.convert;

import java.util.List;

/**
 * Region perception rows ({@code image}, a box, {@code question}, {@code answer}), one sample each, the region shown
 * one of two ways:
 * <ul>
 *   <li>drawn (default): a copy of the image with the box outlined in red is written to the output's
 *       {@code images/}, and {@code {box}} in the question becomes "the region in the red box" (without a
 *       placeholder the question is prefixed with "Look at the region in the red box. ");</li>
 *   <li>coordinates ({@code --region coords}): {@code {box}} becomes {@code <box>[[x1, y1, x2, y2]]</box>} in
 *       InternVL's 0–1000 coordinates (without a placeholder: "Look at the region &lt;box&gt;…&lt;/box&gt;. ").</li>
 * </ul>
 */
final class RegionTask implements Converter.TaskConverter {
    static final String PLACEHOLDER = "{box}";
    private final ConvertOptions o;

    RegionTask(ConvertOptions o) {
        this.o = o;
    }

    @Override
    public void convert(List<Row> rows, Converter.Context ctx) {
        for (Row row : rows) {
            ctx.each(row, () -> {
                String image = row.require("image");
                String question = row.require("question");
                String answer = row.require("answer");
                PixelBox raw = PixelBox.fromRow(row, o.boxFormat);
                ImageFiles.Size size = ctx.images.size(row.place(), image);
                PixelBox box = raw.inside(row.place(), size.width(), size.height());
                String human;
                String out = image;
                if (o.drawRegion) {
                    human = place(question, "the region in the red box", "Look at the region in the red box. ");
                    var img = ctx.images.load(row.place(), image);
                    out = ctx.images.write(String.format("%06d", row.index()), drawBox(img, box));
                } else {
                    String tag = "<box>" + PixelBox.boxList(List.of(box.normalised(size.width(), size.height()))) + "</box>";
                    human = place(question, tag, "Look at the region " + tag + ". ");
                }
                ctx.emit(Converter.single(ctx.id(row), out, size, Converter.oneTurn("<image>\n" + human, answer)));
            });
        }
    }

    static String place(String question, String replacement, String prefix) {
        return question.contains(PLACEHOLDER) ? question.replace(PLACEHOLDER, replacement) : prefix + question;
    }

    /**
     * A copy of {@code img} with {@code box} outlined in pure red, the stroke inside the box,
     * {@code max(2, min(w, h) / 200)} pixels wide.
     */
    static org.tessera.vision.image.RgbImage drawBox(org.tessera.vision.image.RgbImage img, PixelBox box) {
        int w = img.width(), h = img.height();
        byte[] px = img.pixels().clone();
        int x0 = (int) Math.floor(box.x1()), y0 = (int) Math.floor(box.y1());
        int x1 = Math.min(w, (int) Math.ceil(box.x2())), y1 = Math.min(h, (int) Math.ceil(box.y2()));
        int t = Math.max(2, Math.min(w, h) / 200);
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                boolean edge = x < x0 + t || x >= x1 - t || y < y0 + t || y >= y1 - t;
                if (!edge) continue;
                int i = (y * w + x) * 3;
                px[i] = (byte) 255;
                px[i + 1] = 0;
                px[i + 2] = 0;
            }
        }
        return new org.tessera.vision.image.RgbImage(w, h, px);
    }
}
