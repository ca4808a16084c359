package org.tessera.data.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Plain VQA passes through: rows with {@code image} (one path, or a JSON array of paths), {@code question} and
 * {@code answer} become one-turn samples; rows that already hold {@code conversations} keep them, checked (turns
 * alternate human/gpt and have values; the number of {@code <image>} placeholders equals the number of images) and
 * completed ({@code <image>\n} put before the first question when no placeholder is written; width and height
 * added). Several images without placeholders are introduced as {@code Image-1: <image>\nImage-2: <image>\n…}.
 */
final class VqaTask implements Converter.TaskConverter {
    @Override
    public void convert(List<Row> rows, Converter.Context ctx) {
        for (Row row : rows) {
            ctx.each(row, () -> {
                List<String> images = images(row);
                List<ImageFiles.Size> sizes = new ArrayList<>();
                for (String i : images) sizes.add(ctx.images.size(row.place(), i));
                List<String[]> turns = row.get("conversations") != null ? conversations(row) : Converter.oneTurn(
                        row.require("question"), row.require("answer"));
                turns = placeholders(row.place(), turns, images.size());
                ctx.emit(images.size() == 1 ? Converter.single(ctx.id(row), images.get(0), sizes.get(0), turns)
                        : Converter.multi(ctx.id(row), images, sizes, turns));
            });
        }
    }

    static List<String> images(Row row) {
        JsonNode n = row.get("image");
        List<String> out = new ArrayList<>();
        if (n != null && n.isArray()) {
            for (JsonNode x : n) out.add(x.asText());
        } else if (n != null && !n.asText().isBlank()) {
            out.add(n.asText());
        }
        if (out.isEmpty()) throw new BadRow(row.place(), "no \"image\" value");
        return out;
    }

    static List<String[]> conversations(Row row) {
        JsonNode c = row.get("conversations");
        if (!c.isArray() || c.isEmpty() || c.size() % 2 != 0) {
            throw new BadRow(row.place(), "\"conversations\" must be a non-empty list of human/gpt pairs");
        }
        List<String[]> turns = new ArrayList<>();
        for (int i = 0; i < c.size(); i += 2) {
            turns.add(Converter.turn(message(row, (ArrayNode) c, i, "human"), message(row, (ArrayNode) c, i + 1, "gpt")));
        }
        return turns;
    }

    private static String message(Row row, ArrayNode c, int i, String from) {
        JsonNode m = c.get(i);
        if (!(m instanceof ObjectNode o) || !from.equals(o.path("from").asText())) {
            throw new BadRow(row.place(), "conversations[" + i + "] should be from \"" + from + "\"");
        }
        JsonNode v = o.has("value") ? o.get("value") : o.get("text");
        if (v == null || !v.isTextual()) throw new BadRow(row.place(), "conversations[" + i + "] has no \"value\" text");
        return v.asText();
    }

    /** Puts the images' placeholders before the first question when none is written; refuses a count mismatch. */
    static List<String[]> placeholders(String place, List<String[]> turns, int images) {
        int count = 0;
        for (String[] t : turns) count += occurrences(t[0], "<image>") + occurrences(t[1], "<image>");
        if (count == 0) {
            StringBuilder prefix = new StringBuilder();
            if (images == 1) {
                prefix.append("<image>\n");
            } else {
                for (int i = 1; i <= images; i++) prefix.append("Image-").append(i).append(": <image>\n");
            }
            List<String[]> out = new ArrayList<>(turns);
            out.set(0, Converter.turn(prefix + turns.get(0)[0], turns.get(0)[1]));
            return out;
        }
        if (count != images) {
            throw new BadRow(place, count + " <image> placeholder" + (count == 1 ? "" : "s") + " for " + images + " image" + (images == 1 ? "" : "s"));
        }
        return turns;
    }

    static int occurrences(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) n++;
        return n;
    }
}
