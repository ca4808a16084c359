package org.tessera.api;

import org.tessera.model.text.LayoutImageTokens;
import org.tessera.vision.tiling.InputLayout;
import org.tessera.vision.tiling.TilePlan;

/**
 * One image after the vision side: its plan and its projected features {@code [tiles · k, hidden]} in tile order
 * (k = tokens per tile). The layout decides which of those rows reach the language model in which order.
 */
record EncodedImage(TilePlan plan, float[] features, int tokensPerTile, int hidden) {

    LayoutImageTokens tokens() {
        return new LayoutImageTokens(plan.layout());
    }

    /** Appends this image's feature rows in layout order to {@code out} at row {@code row}; returns the next row. */
    int gather(float[] out, int row) {
        for (InputLayout.Segment s : plan.layout().segments()) {
            if (s instanceof InputLayout.Tokens t) {
                if (t.from() < 0 || t.from() + t.count() > tokensPerTile) {
                    throw new IllegalStateException("layout asks for features " + t.from() + ".." + (t.from() + t.count())
                            + " of a tile that has " + tokensPerTile);
                }
                System.arraycopy(features, (t.tile() * tokensPerTile + t.from()) * hidden, out, row * hidden, t.count() * hidden);
                row += t.count();
            }
        }
        return row;
    }
}
