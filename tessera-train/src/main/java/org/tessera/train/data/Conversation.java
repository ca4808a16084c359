package org.tessera.train.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of InternVL's fine-tuning format (JSONL):
 * <pre>{"id": 0, "image": "a.jpg", "conversations": [{"from": "human", "value": "&lt;image&gt;\nWhat is it?"},
 *                                              {"from": "gpt", "value": "A cat."}]}</pre>
 * {@code image} may also be a list (several images, one {@code <image>} placeholder each, in order), or the key may be
 * {@code images}; a line without either is a text-only example. Turns alternate human and gpt; a leading non-human
 * turn is dropped as InternVL's {@code preprocess} does, except a {@code system} turn, which replaces the template's
 * system message.
 *
 * @param system    the system message of a leading {@code system} turn, else null
 * @param patchText tessera's own key {@code patch_text}, for training a reader: the characters drawn at each patch of
 *                  a one-tile image, k per patch in reading order (1 ≤ k ≤ 4, spaces where there are fewer),
 *                  patches row by row; else null
 */
public record Conversation(String id, List<String> images, String system, List<String> human, List<String> gpt, String patchText) {

    /** Parses one JSONL record; {@code where} names it in errors (file and line). */
    public static Conversation parse(JsonNode n, String where) {
        if (n == null || !n.isObject()) throw new IllegalArgumentException(where + ": not a JSON object");
        List<String> images = new ArrayList<>();
        JsonNode img = n.has("image") ? n.get("image") : n.get("images");
        if (img != null && !img.isNull()) {
            if (img.isTextual()) images.add(img.textValue());
            else if (img.isArray()) {
                for (JsonNode i : img) {
                    if (!i.isTextual()) throw new IllegalArgumentException(where + ": image entries must be strings");
                    images.add(i.textValue());
                }
            } else {
                throw new IllegalArgumentException(where + ": \"image\" must be a string or a list of strings");
            }
        }
        if (n.has("video")) throw new IllegalArgumentException(where + ": video examples are not supported for training yet");
        JsonNode conv = n.get("conversations");
        if (conv == null || !conv.isArray() || conv.isEmpty()) throw new IllegalArgumentException(where + ": needs a non-empty \"conversations\" list");
        String system = null;
        List<String> human = new ArrayList<>(), gpt = new ArrayList<>();
        int i = 0;
        if ("system".equals(conv.get(0).path("from").asText())) {
            system = conv.get(0).path("value").asText();
            i = 1;
        } else if (!"human".equals(conv.get(0).path("from").asText())) {
            i = 1; // InternVL: "Skip the first one if it is not from human"
        }
        for (int turn = 0; i < conv.size(); i++, turn++) {
            JsonNode t = conv.get(i);
            String from = t.path("from").asText(null);
            JsonNode v = t.get("value");
            if (v == null || !v.isTextual()) throw new IllegalArgumentException(where + ": turn " + i + " has no text \"value\"");
            String want = turn % 2 == 0 ? "human" : "gpt";
            if (!want.equals(from)) {
                throw new IllegalArgumentException(where + ": turn " + i + " is from \"" + from + "\" where \"" + want + "\" was expected (turns alternate human, gpt)");
            }
            (turn % 2 == 0 ? human : gpt).add(v.textValue());
        }
        if (gpt.isEmpty()) throw new IllegalArgumentException(where + ": no \"gpt\" turn to learn from");
        if (human.size() != gpt.size()) human = human.subList(0, gpt.size()); // a trailing question without answer teaches nothing
        String id = n.has("id") ? n.get("id").asText() : where;
        String patchText = null;
        if (n.has("patch_text")) {
            if (!n.get("patch_text").isTextual()) throw new IllegalArgumentException(where + ": \"patch_text\" must be a string");
            patchText = n.get("patch_text").textValue();
            if (images.size() != 1) throw new IllegalArgumentException(where + ": \"patch_text\" needs exactly one image");
        }
        return new Conversation(id, List.copyOf(images), system, List.copyOf(human), List.copyOf(gpt), patchText);
    }
}
