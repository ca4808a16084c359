package org.tessera.synth;

import java.util.Locale;

/** The two parts of a data set. Their sample seeds come from disjoint salts, and the test part is checked against the training part. */
public enum Split {
    TRAIN(0x3C6EF372FE94F82BL),
    TEST(0xA54FF53A5F1D36F1L);

    private final long salt;

    Split(long salt) {
        this.salt = salt;
    }

    long salt() {
        return salt;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
