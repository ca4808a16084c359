package org.tessera.vision.tiling;

/** A rectangle [x0, x1) x [y0, y1), in pixels of some image (the plan says which). */
public record Box(double x0, double y0, double x1, double y1) {
    public double width() { return x1 - x0; }

    public double height() { return y1 - y0; }

    /** The box scaled by sx horizontally and sy vertically (maps between an image and a resized copy of it). */
    public Box scale(double sx, double sy) {
        return new Box(x0 * sx, y0 * sy, x1 * sx, y1 * sy);
    }

    /** The part of this box inside [0, w) x [0, h). */
    public Box clip(double w, double h) {
        return new Box(Math.max(0, Math.min(w, x0)), Math.max(0, Math.min(h, y0)),
                Math.max(0, Math.min(w, x1)), Math.max(0, Math.min(h, y1)));
    }
}
