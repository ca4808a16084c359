package org.tessera.synth;

/**
 * One string as drawn: the structured record that questions point into and tests check against.
 * The box is in page coordinates before the page's rotation: x, y the top-left, w the advance, h from cap top to
 * descender; capPx the height of its capitals and digits in pixels.
 */
public record TextItem(int index, String text, String role, double x, double y, double w, double h, double capPx,
                       String font) {

    public double right() {
        return x + w;
    }

    public double bottom() {
        return y + h;
    }

    public boolean overlaps(TextItem o, double slack) {
        return x + slack < o.right() && o.x + slack < right() && y + slack < o.bottom() && o.y + slack < bottom();
    }
}
