package org.tessera.data;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** JSON Lines in and out: one JSON object per line, UTF-8, {@code \n} line ends. */
public final class Jsonl {
    /** Field order kept as read; duplicate keys refused; no trailing tokens after a line's object. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private Jsonl() {}

    /** One input line: its 1-based line number and its object. */
    public record Line(int number, ObjectNode value) {}

    /**
     * Reads every non-blank line of {@code file} as a JSON object. A line that is not one is an error naming
     * {@code FILE:LINE}, unless {@code problems} is given, which then receives it and reading goes on.
     */
    public static List<Line> read(Path file, java.util.function.BiConsumer<String, String> problems) {
        List<Line> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String s;
            int n = 0;
            while ((s = r.readLine()) != null) {
                n++;
                if (n == 1 && s.startsWith("\uFEFF")) s = s.substring(1);
                if (s.isBlank()) continue;
                String place = file.getFileName() + ":" + n;
                JsonNode node;
                try {
                    node = MAPPER.readTree(s);
                } catch (JsonProcessingException e) {
                    String why = "not valid JSON (" + e.getOriginalMessage() + ")";
                    if (problems == null) throw new DataException(place + ": " + why);
                    problems.accept(place, why);
                    continue;
                }
                if (node == null || !node.isObject()) {
                    if (problems == null) throw new DataException(place + ": expected a JSON object on each line");
                    problems.accept(place, "expected a JSON object on each line");
                    continue;
                }
                out.add(new Line(n, (ObjectNode) node));
            }
        } catch (java.nio.charset.MalformedInputException e) {
            throw new DataException(file + ": not valid UTF-8");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DataException(file + ": no such file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** One compact line, without the line end. */
    public static String line(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    /** Writes {@code node} as one line followed by {@code \n}. */
    public static void writeLine(OutputStream out, JsonNode node) throws IOException {
        out.write(line(node).getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }

    /** Writes {@code nodes} to {@code target} atomically, one per line. */
    public static void writeAll(Path target, Iterable<? extends JsonNode> nodes) {
        AtomicFiles.write(target, out -> {
            for (JsonNode n : nodes) writeLine(out, n);
        });
    }

    /** Pretty JSON (for the meta file), written atomically. */
    public static void writePretty(Path target, JsonNode node) {
        AtomicFiles.write(target, out -> {
            MAPPER.writerWithDefaultPrettyPrinter().writeValue(out, node);
            out.write('\n');
        });
    }
}
