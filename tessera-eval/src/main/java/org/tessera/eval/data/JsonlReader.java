package org.tessera.eval.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tessera.eval.py.PyLiteral;

/**
 * Plain JSONL benchmarks, one JSON object a line:
 * <pre>{"index": 1, "image": "imgs/a.png", "question": "What is the total?", "answers": ["$12.50", "12.50"],
 *  "category": "receipts"}</pre>
 * {@code image} is a path (relative to the JSONL file) or a list of paths; {@code answers} a list, or {@code answer}
 * one answer (a string holding a Python list literal counts as a list, as in the TSV format); {@code index} defaults
 * to the line number. Multiple choice: {@code options} as an object ({@code {"A": "cat", "B": "dog"}}) or a list
 * (lettered A, B, ...), or top-level {@code "A"}, {@code "B"}, ... keys; {@code answer} is the letter; {@code hint}
 * is optional. Also {@code split} and {@code l2-category}.
 */
public final class JsonlReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonlReader() {}

    public static Dataset read(Path file) throws IOException {
        List<Sample> samples = new ArrayList<>();
        List<RowProblem> problems = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean split = false, category = false, l2 = false;
        Path dir = file.toAbsolutePath().getParent();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = r.readLine()) != null) {
                line++;
                if (text.isBlank()) continue;
                JsonNode o;
                try {
                    o = JSON.readTree(text);
                } catch (JsonProcessingException e) {
                    problems.add(new RowProblem(file, line, null, "not JSON: " + e.getOriginalMessage()));
                    continue;
                }
                if (o == null || !o.isObject()) {
                    problems.add(new RowProblem(file, line, null, "not a JSON object"));
                    continue;
                }
                String index = o.hasNonNull("index") ? Cells.canonicalIndex(scalar(o.get("index"))) : Integer.toString(line);
                try {
                    Integer before = seen.putIfAbsent(index, line);
                    if (before != null) throw new IllegalArgumentException("duplicate index (also on line " + before + ")");
                    samples.add(sample(o, index, line, dir));
                    split |= o.hasNonNull("split");
                    category |= o.hasNonNull("category");
                    l2 |= o.hasNonNull("l2-category") || o.hasNonNull("l2_category");
                } catch (IllegalArgumentException e) {
                    problems.add(new RowProblem(file, line, index, e.getMessage()));
                }
            }
        }
        return new Dataset(file, samples, problems, split, category, l2);
    }

    private static Sample sample(JsonNode o, String index, int line, Path dir) {
        String question = o.hasNonNull("question") ? scalar(o.get("question")) : null;
        if (question == null || question.isEmpty()) throw new IllegalArgumentException("no question");
        List<ImageRef> images = new ArrayList<>();
        JsonNode img = o.get("image");
        if (img == null || img.isNull()) img = o.get("image_path");
        if (img != null && !img.isNull()) {
            if (img.isArray()) {
                for (JsonNode p : img) images.add(new ImageRef.FileRef(dir.resolve(scalar(p))));
            } else {
                images.add(new ImageRef.FileRef(dir.resolve(scalar(img))));
            }
        }
        String answer = null;
        List<String> answerList = null;
        if (o.hasNonNull("answers")) {
            JsonNode a = o.get("answers");
            if (!a.isArray()) throw new IllegalArgumentException("'answers' is not a list");
            if (a.isEmpty()) throw new IllegalArgumentException("'answers' is empty");
            answerList = new ArrayList<>();
            for (JsonNode x : a) answerList.add(scalar(x));
            answer = a.toString();
        } else if (o.hasNonNull("answer")) {
            JsonNode a = o.get("answer");
            if (a.isArray()) throw new IllegalArgumentException("'answer' is a list: call it 'answers'");
            answer = scalar(a);
            answerList = PyLiteral.stringList(answer);
        }
        Map<String, String> options = new LinkedHashMap<>();
        JsonNode opts = o.get("options");
        if (opts != null && opts.isObject()) {
            opts.properties().forEach(e -> options.put(e.getKey(), scalar(e.getValue())));
        } else if (opts != null && opts.isArray()) {
            char c = 'A';
            for (JsonNode x : opts) options.put(String.valueOf(c++), scalar(x));
        } else {
            for (char c = 'A'; c <= 'Z'; c++) {
                JsonNode v = o.get(String.valueOf(c));
                if (v != null && !v.isNull()) options.put(String.valueOf(c), scalar(v));
            }
        }
        for (String k : options.keySet()) {
            if (k.length() != 1 || k.charAt(0) < 'A' || k.charAt(0) > 'Z') {
                throw new IllegalArgumentException("option key '" + k + "' is not a capital letter A-Z");
            }
        }
        JsonNode l2 = o.hasNonNull("l2-category") ? o.get("l2-category") : o.get("l2_category");
        return new Sample(index, line, images, question, text(o.get("hint")), options, answer, answerList,
                text(o.get("category")), text(l2), text(o.get("split")));
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : scalar(n);
    }

    /** A JSON scalar as text (numbers as written); objects and lists are an error. */
    private static String scalar(JsonNode n) {
        if (n.isTextual()) return n.textValue();
        if (n.isNumber() || n.isBoolean()) return n.asText();
        throw new IllegalArgumentException("expected text, got " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + n);
    }
}
