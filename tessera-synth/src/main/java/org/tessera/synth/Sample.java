package org.tessera.synth;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One rendered image with the record of everything drawn on it and its questions.
 *
 * @param angleDeg the page's rotation; the item boxes are in unrotated page coordinates
 */
public record Sample(Kind kind, int width, int height, double angleDeg, BufferedImage image, List<TextItem> items,
                     List<Qa> qas) {

    /** The cap height of the smallest text drawn, px. */
    public double minTextPx() {
        double m = Double.POSITIVE_INFINITY;
        for (TextItem t : items) m = Math.min(m, t.capPx());
        return m;
    }

    /**
     * SHA-256 of what the page says and asks: the kind, every drawn string in drawing order with its role, and the
     * question-answer pairs. Two samples with equal hashes show the same text in the same structure; the held-out
     * split rejects any sample whose hash occurs in training (the layout alone decides, whatever the questions).
     */
    public byte[] contentHash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(kind.label().getBytes(StandardCharsets.UTF_8));
            for (TextItem t : items) {
                md.update((byte) 1);
                md.update(t.role().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 2);
                md.update(t.text().getBytes(StandardCharsets.UTF_8));
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first 8 bytes of {@link #contentHash()} as a long (what the split check keeps in memory). */
    public long contentKey() {
        byte[] h = contentHash();
        long k = 0;
        for (int i = 0; i < 8; i++) k = (k << 8) | (h[i] & 0xFF);
        return k;
    }

    public String contentHex() {
        return HexFormat.of().formatHex(contentHash(), 0, 8);
    }
}
