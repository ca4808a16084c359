package org.tessera.model.text;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small SentencePiece {@code ModelProto}s in protobuf wire format for the tests (the parser under test must
 * read what the real protobuf library writes, so this writer follows the wire format, not the parser: tags are
 * {@code field << 3 | wire type}, strings and messages are length-delimited, the score is a little-endian float).
 */
final class SpModelWriter {

    record P(String piece, float score, int type) {}

    final List<P> pieces = new ArrayList<>();
    int modelType = 2; // BPE
    boolean byteFallback = true;
    Boolean addDummyPrefix = null, removeExtraWhitespaces = null, escapeWhitespaces = null; // null: leave out (defaults)
    String normalizerName = "identity";
    byte[] charsmap = new byte[0];
    Integer unkId = null, bosId = null, eosId = null;
    boolean writeUnknownFields = true;

    static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

    SpModelWriter piece(String p, float score, int type) {
        pieces.add(new P(p, score, type));
        return this;
    }

    SpModelWriter normal(String p, float score) {
        return piece(p, score, NORMAL);
    }

    /** The usual head: {@code <unk>}, {@code <s>}, {@code </s>} (ids 0, 1, 2), then the 256 byte pieces. */
    SpModelWriter standardHead() {
        piece("<unk>", 0, UNKNOWN);
        piece("<s>", 0, CONTROL);
        piece("</s>", 0, CONTROL);
        for (int b = 0; b < 256; b++) piece(String.format("<0x%02X>", b), 0, BYTE);
        return this;
    }

    byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (P p : pieces) {
            ByteArrayOutputStream m = new ByteArrayOutputStream();
            bytesField(m, 1, p.piece.getBytes(StandardCharsets.UTF_8));
            tag(m, 2, 5);
            int bits = Float.floatToIntBits(p.score);
            for (int i = 0; i < 4; i++) m.write(bits >>> (8 * i));
            if (p.type != NORMAL) varintField(m, 3, p.type); // proto2 default NORMAL may be omitted
            bytesField(out, 1, m.toByteArray());
        }
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        if (writeUnknownFields) bytesField(t, 1, "input.txt".getBytes(StandardCharsets.UTF_8)); // input = 1
        varintField(t, 3, modelType);
        varintField(t, 4, pieces.size()); // vocab_size
        if (writeUnknownFields) {
            tag(t, 10, 5); // character_coverage (float) = 10
            int bits = Float.floatToIntBits(0.9995f);
            for (int i = 0; i < 4; i++) t.write(bits >>> (8 * i));
        }
        if (byteFallback) varintField(t, 35, 1);
        if (unkId != null) varintField(t, 40, unkId);
        if (bosId != null) varintField(t, 41, bosId);
        if (eosId != null) varintField(t, 42, eosId);
        bytesField(out, 2, t.toByteArray());
        ByteArrayOutputStream n = new ByteArrayOutputStream();
        bytesField(n, 1, normalizerName.getBytes(StandardCharsets.UTF_8));
        if (charsmap.length > 0) bytesField(n, 2, charsmap);
        if (addDummyPrefix != null) varintField(n, 3, addDummyPrefix ? 1 : 0);
        if (removeExtraWhitespaces != null) varintField(n, 4, removeExtraWhitespaces ? 1 : 0);
        if (escapeWhitespaces != null) varintField(n, 5, escapeWhitespaces ? 1 : 0);
        bytesField(out, 3, n.toByteArray());
        if (writeUnknownFields) {
            // self_test_data = 4: a message the parser must skip.
            ByteArrayOutputStream st = new ByteArrayOutputStream();
            bytesField(st, 1, "x".getBytes(StandardCharsets.UTF_8));
            bytesField(out, 4, st.toByteArray());
            tag(out, 99, 1); // an unknown fixed64 field
            for (int i = 0; i < 8; i++) out.write(i);
        }
        return out.toByteArray();
    }

    SentencePieceModel model() {
        return SentencePieceModel.parse(build());
    }

    private static void tag(ByteArrayOutputStream o, int field, int wire) {
        varint(o, ((long) field << 3) | wire);
    }

    private static void varint(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7FL) != 0) {
            o.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        o.write((int) v);
    }

    private static void varintField(ByteArrayOutputStream o, int field, long v) {
        tag(o, field, 0);
        varint(o, v);
    }

    private static void bytesField(ByteArrayOutputStream o, int field, byte[] b) {
        tag(o, field, 2);
        varint(o, b.length);
        o.writeBytes(b);
    }
}
