package org.tessera.model.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A SentencePiece {@code tokenizer.model}: the serialized {@code sentencepiece.ModelProto}, read with a small
 * protobuf wire-format parser (no protobuf dependency). Only the fields that affect BPE encoding and decoding are
 * kept; every other field, known or unknown, is skipped by its wire type, so newer files load.
 *
 * <p>Field numbers (sentencepiece_model.proto): ModelProto {@code pieces = 1, trainer_spec = 2,
 * normalizer_spec = 3}; SentencePiece {@code piece = 1, score = 2 (float), type = 3}; TrainerSpec
 * {@code model_type = 3, treat_whitespace_as_suffix = 24, byte_fallback = 35, unk_id = 40, bos_id = 41,
 * eos_id = 42, pad_id = 43, unk_surface = 44}; NormalizerSpec {@code name = 1, precompiled_charsmap = 2,
 * add_dummy_prefix = 3, remove_extra_whitespaces = 4, escape_whitespaces = 5}. Proto2 defaults apply to absent
 * fields: type NORMAL, add_dummy_prefix / remove_extra_whitespaces / escape_whitespaces true, unk/bos/eos/pad ids
 * 0/1/2/-1, model_type UNIGRAM, unk_surface {@code " \u2047 "}.
 */
public record SentencePieceModel(List<Piece> pieces, Trainer trainer, NormalizerSpec normalizer) {

    /** Piece types, with their proto enum numbers. */
    public enum Type {
        NORMAL(1), UNKNOWN(2), CONTROL(3), USER_DEFINED(4), UNUSED(5), BYTE(6);

        final int number;

        Type(int number) {
            this.number = number;
        }

        static Type of(int n) {
            for (Type t : values()) if (t.number == n) return t;
            throw new IllegalArgumentException("unknown SentencePiece piece type " + n);
        }
    }

    public record Piece(String piece, float score, Type type) {}

    /** Model types of TrainerSpec. */
    public static final int UNIGRAM = 1, BPE = 2, WORD = 3, CHAR = 4;

    public record Trainer(int modelType, boolean byteFallback, boolean treatWhitespaceAsSuffix,
                          int unkId, int bosId, int eosId, int padId, String unkSurface) {}

    public record NormalizerSpec(String name, byte[] precompiledCharsmap, boolean addDummyPrefix,
                                 boolean removeExtraWhitespaces, boolean escapeWhitespaces) {}

    public SentencePieceModel {
        pieces = List.copyOf(pieces);
    }

    public static SentencePieceModel load(Path file) {
        try {
            return parse(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static SentencePieceModel parse(byte[] bytes) {
        Reader r = new Reader(bytes, 0, bytes.length);
        List<Piece> pieces = new ArrayList<>();
        Trainer trainer = new Trainer(UNIGRAM, false, false, 0, 1, 2, -1, " \u2047 ");
        NormalizerSpec norm = new NormalizerSpec("", new byte[0], true, true, true);
        while (r.more()) {
            long key = r.varint();
            int field = (int) (key >>> 3), wire = (int) (key & 7);
            if (field == 1 && wire == 2) pieces.add(parsePiece(r.sub()));
            else if (field == 2 && wire == 2) trainer = parseTrainer(r.sub());
            else if (field == 3 && wire == 2) norm = parseNormalizer(r.sub());
            else r.skip(wire);
        }
        return new SentencePieceModel(pieces, trainer, norm);
    }

    private static Piece parsePiece(Reader r) {
        String piece = null;
        float score = 0f;
        Type type = Type.NORMAL;
        while (r.more()) {
            long key = r.varint();
            int field = (int) (key >>> 3), wire = (int) (key & 7);
            if (field == 1 && wire == 2) piece = r.string();
            else if (field == 2 && wire == 5) score = Float.intBitsToFloat(r.fixed32());
            else if (field == 3 && wire == 0) type = Type.of((int) r.varint());
            else r.skip(wire);
        }
        if (piece == null || piece.isEmpty()) throw new IllegalArgumentException("SentencePiece piece without text");
        return new Piece(piece, score, type);
    }

    private static Trainer parseTrainer(Reader r) {
        int modelType = UNIGRAM, unk = 0, bos = 1, eos = 2, pad = -1;
        boolean byteFallback = false, suffix = false;
        String unkSurface = " \u2047 ";
        while (r.more()) {
            long key = r.varint();
            int field = (int) (key >>> 3), wire = (int) (key & 7);
            switch (field) {
                case 3 -> modelType = wire == 0 ? (int) r.varint() : skipped(r, wire, modelType);
                case 24 -> suffix = wire == 0 ? r.varint() != 0 : skipped(r, wire, suffix);
                case 35 -> byteFallback = wire == 0 ? r.varint() != 0 : skipped(r, wire, byteFallback);
                case 40 -> unk = wire == 0 ? (int) r.varint() : skipped(r, wire, unk);
                case 41 -> bos = wire == 0 ? (int) r.varint() : skipped(r, wire, bos);
                case 42 -> eos = wire == 0 ? (int) r.varint() : skipped(r, wire, eos);
                case 43 -> pad = wire == 0 ? (int) r.varint() : skipped(r, wire, pad);
                case 44 -> unkSurface = wire == 2 ? r.string() : skipped(r, wire, unkSurface);
                default -> r.skip(wire);
            }
        }
        return new Trainer(modelType, byteFallback, suffix, unk, bos, eos, pad, unkSurface);
    }

    private static NormalizerSpec parseNormalizer(Reader r) {
        String name = "";
        byte[] charsmap = new byte[0];
        boolean dummy = true, removeExtra = true, escape = true;
        while (r.more()) {
            long key = r.varint();
            int field = (int) (key >>> 3), wire = (int) (key & 7);
            switch (field) {
                case 1 -> name = wire == 2 ? r.string() : skipped(r, wire, name);
                case 2 -> charsmap = wire == 2 ? r.bytes() : skipped(r, wire, charsmap);
                case 3 -> dummy = wire == 0 ? r.varint() != 0 : skipped(r, wire, dummy);
                case 4 -> removeExtra = wire == 0 ? r.varint() != 0 : skipped(r, wire, removeExtra);
                case 5 -> escape = wire == 0 ? r.varint() != 0 : skipped(r, wire, escape);
                default -> r.skip(wire);
            }
        }
        return new NormalizerSpec(name, charsmap, dummy, removeExtra, escape);
    }

    private static <T> T skipped(Reader r, int wire, T keep) {
        r.skip(wire);
        return keep;
    }

    /** Protobuf wire-format reader over a byte range; every read is bounds-checked. */
    private static final class Reader {
        private final byte[] b;
        private int pos;
        private final int end;

        Reader(byte[] b, int from, int to) {
            this.b = b;
            this.pos = from;
            this.end = to;
        }

        boolean more() {
            return pos < end;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) throw corrupt("truncated varint");
                int x = b[pos++] & 0xFF;
                v |= (long) (x & 0x7F) << shift;
                if (x < 0x80) return v;
            }
            throw corrupt("varint longer than 10 bytes");
        }

        int fixed32() {
            if (end - pos < 4) throw corrupt("truncated fixed32");
            int v = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8 | (b[pos + 2] & 0xFF) << 16 | (b[pos + 3] & 0xFF) << 24;
            pos += 4;
            return v;
        }

        private int length() {
            long n = varint();
            if (n < 0 || n > end - pos) throw corrupt("length " + n + " runs past the end");
            return (int) n;
        }

        Reader sub() {
            int n = length();
            Reader r = new Reader(b, pos, pos + n);
            pos += n;
            return r;
        }

        byte[] bytes() {
            int n = length();
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        String string() {
            int n = length();
            String s = new String(b, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        void skip(int wire) {
            switch (wire) {
                case 0 -> varint();
                case 1 -> {
                    if (end - pos < 8) throw corrupt("truncated fixed64");
                    pos += 8;
                }
                case 2 -> {
                    int n = length(); // not "pos += length()": that would read pos before length() advances it
                    pos += n;
                }
                case 5 -> {
                    if (end - pos < 4) throw corrupt("truncated fixed32");
                    pos += 4;
                }
                default -> throw corrupt("unsupported wire type " + wire);
            }
        }

        private IllegalArgumentException corrupt(String why) {
            return new IllegalArgumentException("corrupt SentencePiece model: " + why + " at byte " + pos);
        }
    }
}
