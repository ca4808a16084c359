package org.tessera.data.convert;

import org.tessera.data.DataException;

/** One input row that cannot be converted: its place and the reason. */
public final class BadRow extends DataException {
    private final String place;
    private final String reason;

    public BadRow(String place, String reason) {
        super(place + ": " + reason);
        this.place = place;
        this.reason = reason;
    }

    public String place() { return place; }

    public String reason() { return reason; }
}
