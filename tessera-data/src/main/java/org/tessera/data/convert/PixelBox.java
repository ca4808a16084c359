package org.tessera.data.convert;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * A box in pixel coordinates, corners {@code (x1, y1)} top-left and {@code (x2, y2)} bottom-right, and its InternVL
 * form: each coordinate divided by the image's width or height, times 1000, rounded half to even (Python's
 * {@code round}, as InternVL's {@code normalize_coordinates} does it).
 */
public record PixelBox(double x1, double y1, double x2, double y2) {

    /** How much a box may overshoot the image (float annotations like COCO's often end at 640.0001); it is clamped. */
    static final double SLACK = 0.5;

    /** How the four numbers of an input box are meant. */
    public enum Format {
        /** x1, y1, x2, y2 */
        XYXY,
        /** x, y, width, height (COCO) */
        XYWH;

        public static Format parse(String s) {
            for (Format f : values()) if (f.name().equalsIgnoreCase(s)) return f;
            throw new IllegalArgumentException("unknown box format '" + s + "' (known: xyxy, xywh)");
        }
    }

    static PixelBox of(double[] v, Format f) {
        return f == Format.XYXY ? new PixelBox(v[0], v[1], v[2], v[3]) : new PixelBox(v[0], v[1], v[0] + v[2], v[1] + v[3]);
    }

    /**
     * The box of a row: a {@code bbox} field (JSON array of four numbers, or text "a, b, c, d" / "[a, b, c, d]" /
     * "a b c d"), or four fields {@code x1, y1, x2, y2} ({@code x, y, w, h} for xywh).
     */
    static PixelBox fromRow(Row row, Format format) {
        JsonNode b = row.get("bbox");
        if (b != null) return of(numbers(row.place(), b), format);
        List<String> names = format == Format.XYXY ? List.of("x1", "y1", "x2", "y2") : List.of("x", "y", "w", "h");
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
            String s = row.text(names.get(i));
            if (s == null) {
                throw new BadRow(row.place(), "no box: give \"bbox\" or the four fields " + String.join(", ", names));
            }
            v[i] = number(row.place(), s);
        }
        return of(v, format);
    }

    static double[] numbers(String place, JsonNode b) {
        double[] v = new double[4];
        if (b.isArray()) {
            if (b.size() != 4) throw new BadRow(place, "bbox has " + b.size() + " numbers, expected 4");
            for (int i = 0; i < 4; i++) {
                if (!b.get(i).isNumber()) throw new BadRow(place, "bbox holds a non-number: " + b.get(i));
                v[i] = b.get(i).doubleValue();
            }
            return v;
        }
        String s = b.asText().trim();
        if (s.startsWith("[") && s.endsWith("]")) s = s.substring(1, s.length() - 1);
        String[] parts = s.trim().split("[,\\s]+");
        if (parts.length != 4) throw new BadRow(place, "bbox \"" + b.asText() + "\" is not four numbers");
        for (int i = 0; i < 4; i++) v[i] = number(place, parts[i]);
        return v;
    }

    private static double number(String place, String s) {
        try {
            double d = Double.parseDouble(s.trim());
            if (!Double.isFinite(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new BadRow(place, "\"" + s + "\" is not a number");
        }
    }

    /**
     * This box checked against a {@code width × height} image: it must have positive size and lie inside the image
     * (up to {@link #SLACK} px, which is clamped away). Anything else is a bad row naming the box and the size.
     */
    PixelBox inside(String place, int width, int height) {
        if (!(x2 > x1 && y2 > y1)) {
            throw new BadRow(place, "box " + this + " is empty or inverted (x2 must exceed x1, y2 must exceed y1)");
        }
        if (x1 < -SLACK || y1 < -SLACK || x2 > width + SLACK || y2 > height + SLACK) {
            throw new BadRow(place, "box " + this + " is outside the " + width + "x" + height + " image");
        }
        return new PixelBox(Math.max(0, x1), Math.max(0, y1), Math.min(width, x2), Math.min(height, y2));
    }

    /** The InternVL coordinates: 0–1000 of the width and height, rounded half to even. */
    public int[] normalised(int width, int height) {
        return new int[] {scale(x1, width), scale(y1, height), scale(x2, width), scale(y2, height)};
    }

    private static int scale(double v, int size) {
        return (int) Math.rint(v / size * 1000);
    }

    /** {@code [[a, b, c, d], [e, f, g, h]]}: several normalised boxes as InternVL writes them inside {@code <box>}. */
    public static String boxList(List<int[]> boxes) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < boxes.size(); i++) {
            int[] b = boxes.get(i);
            if (i > 0) sb.append(", ");
            sb.append('[').append(b[0]).append(", ").append(b[1]).append(", ").append(b[2]).append(", ").append(b[3]).append(']');
        }
        return sb.append(']').toString();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "[%s, %s, %s, %s]", fmt(x1), fmt(y1), fmt(x2), fmt(y2));
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
