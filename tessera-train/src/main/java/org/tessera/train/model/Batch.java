package org.tessera.train.model;

import java.util.Arrays;
import java.util.List;

/**
 * A packed training batch: the tiles of all its images, and its sequences laid end to end.
 *
 * @param pixels   {@code [tiles, 3, S, S]}, tiles of all sequences in order (their {@code <IMG_CONTEXT>} positions
 *                 take the image features in this order)
 * @param tiles    number of tiles (0 for text only)
 * @param ids      token ids of all sequences, concatenated
 * @param segments start of each sequence in {@code ids}, then {@code ids.length}
 * @param targets  per position, the id of the next token when that token is supervised (an answer token or the stop
 *                 token after it), else −1; a sequence's last position has none
 * @param patchLabels per patch of every tile ({@code [tiles, patches]}), the character class drawn there (0 for none),
 *                 or −1 where unknown; null when no tile has labels (see TrainableInternVL#attachPatchReadout)
 */
public record Batch(float[] pixels, int tiles, int[] ids, int[] segments, int[] targets, int[] patchLabels) {

    public Batch(float[] pixels, int tiles, int[] ids, int[] segments, int[] targets) {
        this(pixels, tiles, ids, segments, targets, null);
    }

    public Batch {
        if (ids.length != targets.length) throw new IllegalArgumentException("ids and targets differ in length");
        if (segments.length < 2 || segments[0] != 0 || segments[segments.length - 1] != ids.length) {
            throw new IllegalArgumentException("segments must run from 0 to " + ids.length + ", got " + Arrays.toString(segments));
        }
        for (int i = 1; i < segments.length; i++) if (segments[i] < segments[i - 1]) throw new IllegalArgumentException("segments must not decrease");
        if (patchLabels != null && (tiles == 0 || patchLabels.length % tiles != 0)) {
            throw new IllegalArgumentException(patchLabels.length + " patch labels do not divide among " + tiles + " tiles");
        }
    }

    /** Positions (tokens) in the batch. */
    public int tokens() { return ids.length; }

    /** Supervised positions. */
    public int supervised() {
        int n = 0;
        for (int t : targets) if (t >= 0) n++;
        return n;
    }

    /** One sequence. */
    public static Batch of(float[] pixels, int tiles, int[] ids, int[] targets) {
        return new Batch(pixels == null ? new float[0] : pixels, tiles, ids, new int[] {0, ids.length}, targets);
    }

    /** This batch with {@code labels} as its patch labels. */
    public Batch withPatchLabels(int[] labels) {
        return new Batch(pixels, tiles, ids, segments, targets, labels);
    }

    /** Sequences packed into one batch, in order. */
    public static Batch pack(List<Batch> parts) {
        int tiles = 0, tokens = 0, px = 0, perTile = 0;
        for (Batch b : parts) {
            if (b.patchLabels != null) perTile = b.patchLabels.length / b.tiles;
            tiles += b.tiles;
            tokens += b.ids.length;
            px += b.pixels.length;
        }
        float[] pixels = new float[px];
        int[] ids = new int[tokens], targets = new int[tokens];
        int seqs = 0;
        for (Batch b : parts) seqs += b.segments.length - 1;
        int[] segs = new int[seqs + 1];
        int p = 0, t = 0, s = 0;
        for (Batch b : parts) {
            System.arraycopy(b.pixels, 0, pixels, p, b.pixels.length);
            p += b.pixels.length;
            for (int i = 0; i + 1 < b.segments.length; i++) segs[s++] = t + b.segments[i];
            System.arraycopy(b.ids, 0, ids, t, b.ids.length);
            System.arraycopy(b.targets, 0, targets, t, b.targets.length);
            t += b.ids.length;
        }
        segs[s] = t;
        int[] labels = null;
        if (perTile > 0) { // tiles without labels (other examples of the batch) get −1
            labels = new int[tiles * perTile];
            int at = 0;
            for (Batch b : parts) {
                int len = b.tiles * perTile;
                if (b.patchLabels != null && b.patchLabels.length != len) throw new IllegalArgumentException("parts disagree on patches per tile");
                if (b.patchLabels != null) System.arraycopy(b.patchLabels, 0, labels, at, len);
                else java.util.Arrays.fill(labels, at, at + len, -1);
                at += len;
            }
        }
        return new Batch(pixels, tiles, ids, segs, targets, labels);
    }
}
