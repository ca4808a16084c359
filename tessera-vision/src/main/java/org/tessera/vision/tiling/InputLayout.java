package org.tessera.vision.tiling;

import java.util.ArrayList;
import java.util.List;

/**
 * The contract between the tiler and the prompt builder: for one image, which vision tokens reach the language
 * model in which order, and what goes between them (tile tags as text, learned newline and separator embeddings).
 * The prompt builder turns {@link Start} / {@link End} into the model's own image delimiters ({@code <img>},
 * {@code </img>} for InternVL) and each run of {@link Tokens} into that many image-context placeholders.
 */
public record InputLayout(List<Segment> segments) {

    public InputLayout {
        segments = List.copyOf(segments);
    }

    /** One piece of the layout. */
    public sealed interface Segment permits Start, End, Text, Tokens, Newline, Separator {}

    /** Where the image begins (InternVL: {@code <img>}). */
    public record Start() implements Segment {}

    /** Where the image ends (InternVL: {@code </img>}). */
    public record End() implements Segment {}

    /** Plain text that the tokenizer encodes as text, e.g. an NVLM tile tag {@code <tile_1>}. */
    public record Text(String text) implements Segment {}

    /**
     * {@code count} consecutive feature vectors of tile {@code tile}, starting at its feature {@code from}
     * (row-major over the tile's merged feature map). Most strategies take a whole tile; the 4KHD layout takes
     * one feature row of each tile in turn.
     */
    public record Tokens(int tile, int from, int count) implements Segment {}

    /** A learned newline embedding ending a row of features (InternLM-XComposer2-4KHD's {@code sub_GN}). */
    public record Newline() implements Segment {}

    /** A learned separator embedding between the global and the local view (4KHD's {@code glb_GN}). */
    public record Separator() implements Segment {}

    /** Tokens the language model receives for this image: image features, newlines and separators (text tags not included). */
    public int imageTokens() {
        int n = 0;
        for (Segment s : segments) {
            if (s instanceof Tokens t) n += t.count();
            else if (s instanceof Newline || s instanceof Separator) n++;
        }
        return n;
    }

    /** The text segments (tile tags) in order. */
    public List<String> texts() {
        List<String> out = new ArrayList<>();
        for (Segment s : segments) {
            if (s instanceof Text t) out.add(t.text());
        }
        return out;
    }

    /**
     * The layout as short text: {@code <img>}, {@code </img>}, tags as they are, runs of image features as
     * {@code <IMG_CONTEXT×256>}, {@code <newline>}, {@code <sep>}; repeated groups are written once with a count,
     * e.g. {@code [<IMG_CONTEXT×12><newline>]×12}.
     */
    public String describe() {
        List<String> pieces = new ArrayList<>();
        int run = 0;
        for (Segment s : segments) {
            if (s instanceof Tokens t) {
                run += t.count();
                continue;
            }
            if (run > 0) {
                pieces.add("<IMG_CONTEXT×" + run + ">");
                run = 0;
            }
            pieces.add(switch (s) {
                case Start st -> "<img>";
                case End e -> "</img>";
                case Text t -> t.text();
                case Newline n -> "<newline>";
                case Separator sep -> "<sep>";
                case Tokens t -> throw new AssertionError();
            });
        }
        if (run > 0) pieces.add("<IMG_CONTEXT×" + run + ">");
        return compressRepeats(pieces);
    }

    /** Writes k ≥ 2 adjacent copies of the same group of up to 4 pieces as "[group]×k". */
    static String compressRepeats(List<String> pieces) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < pieces.size()) {
            int bestLen = 0;
            int bestCount = 1;
            for (int len = 1; len <= 4 && i + 2 * len <= pieces.size(); len++) {
                int count = 1;
                while (i + (count + 1) * len <= pieces.size()
                        && pieces.subList(i, i + len).equals(pieces.subList(i + count * len, i + (count + 1) * len))) {
                    count++;
                }
                if (count >= 2 && count * len > bestCount * Math.max(bestLen, 1)) {
                    bestLen = len;
                    bestCount = count;
                }
            }
            if (bestLen == 0) {
                sb.append(pieces.get(i));
                i++;
            } else {
                sb.append('[').append(String.join("", pieces.subList(i, i + bestLen))).append("]×").append(bestCount);
                i += bestLen * bestCount;
            }
        }
        return sb.toString();
    }
}
