package org.tessera.train.nn;

import org.tessera.train.Parameter;

/**
 * Token embedding lookup {@code x[t] = E[id[t]]}. Rows at positions the caller marks (the {@code <IMG_CONTEXT>}
 * positions, overwritten by image features) get no gradient, as InternVL's {@code input_embeds[sel] * 0.0 +
 * vit_embeds} gives none.
 */
public final class Embedding {
    private final Parameter table;
    private int[] ids;
    private boolean[] skip;

    public Embedding(Parameter table) {
        this.table = table;
    }

    public Parameter table() { return table; }

    public int dim() { return table.cols(); }

    public float[] forward(int[] ids, boolean[] skip) {
        int d = dim(), v = table.rows();
        float[] x = new float[ids.length * d];
        for (int t = 0; t < ids.length; t++) {
            int id = ids[t];
            if (id < 0 || id >= v) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + v + ")");
            if (table.hasValues()) System.arraycopy(table.values(), id * d, x, t * d, d);
            else table.matrix().decodeRow(id, x, t * d);
        }
        this.ids = ids;
        this.skip = skip;
        return x;
    }

    public void backward(float[] dx) {
        if (!table.trainable()) return;
        int d = dim();
        float[] g = table.grad();
        for (int t = 0; t < ids.length; t++) {
            if (skip != null && skip[t]) continue;
            org.tessera.train.kernels.Products.add(g, ids[t] * d, dx, t * d, d);
        }
    }

    public void clear() {
        ids = null;
        skip = null;
    }
}
