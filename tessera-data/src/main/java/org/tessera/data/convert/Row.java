package org.tessera.data.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One input row: where it is ({@code FILE:LINE} for JSONL, {@code FILE:LINE (row N)} for CSV) and its fields as JSON
 * (CSV values are strings; empty CSV cells are absent).
 */
public record Row(String place, int index, ObjectNode fields) {

    /** The field as text, or null when absent, null or blank. */
    public String text(String name) {
        JsonNode n = fields.get(name);
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        String s = n.isValueNode() ? n.asText() : n.toString();
        return s.isBlank() ? null : s;
    }

    /** The field as text; a missing one is a bad row. */
    public String require(String name) {
        String s = text(name);
        if (s == null) throw new BadRow(place, "no \"" + name + "\" value");
        return s;
    }

    public JsonNode get(String name) {
        JsonNode n = fields.get(name);
        return n == null || n.isNull() ? null : n;
    }
}
