package org.tessera.eval.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Predictions as JSONL, one {@code {"index": ..., "prediction": ...}} object a line (tessera adds tile and token
 * counts). The runner appends each answer as it comes and forces it to disk, so a run that is stopped loses at most
 * the question in progress; a last line cut off mid-write is dropped (and cut from the file) when the run resumes.
 */
public final class PredictionStore implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a predictions file held. {@code droppedLine} is the line number of a cut-off last line, or 0. */
    public record Loaded(Map<String, Prediction> predictions, int droppedLine, long goodBytes) {}

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Prediction> predictions;

    private PredictionStore(Path file, FileChannel channel, Map<String, Prediction> predictions) {
        this.file = file;
        this.channel = channel;
        this.predictions = predictions;
    }

    /**
     * Reads a predictions file. An unreadable last line is dropped (reported in {@link Loaded#droppedLine}); an
     * unreadable line before it, a line without index or prediction, or an index given twice is an error naming its
     * line.
     */
    public static Loaded load(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        Map<String, Prediction> out = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        int start = 0, line = 0;
        long good = 0;
        while (start < all.length) {
            int end = start;
            while (end < all.length && all[end] != '\n') end++;
            line++;
            String text = new String(all, start, end - start, StandardCharsets.UTF_8).strip();
            int next = Math.min(end + 1, all.length);
            if (!text.isEmpty()) {
                Prediction p;
                try {
                    p = parse(text);
                } catch (IllegalArgumentException e) {
                    if (end >= all.length) return new Loaded(out, line, good); // the last line, cut off mid-write
                    throw new IllegalArgumentException(file + ":" + line + ": " + e.getMessage());
                }
                Integer before = lineOf.putIfAbsent(p.index(), line);
                if (before != null) {
                    throw new IllegalArgumentException(file + ":" + line + ": a second prediction for index " + p.index()
                            + " (the first is on line " + before + ")");
                }
                out.put(p.index(), p);
            }
            good = next;
            start = next;
        }
        return new Loaded(out, 0, good);
    }

    static Prediction parse(String text) {
        JsonNode o;
        try {
            o = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + ")");
        }
        if (o == null || !o.isObject()) throw new IllegalArgumentException("not a JSON object");
        JsonNode idx = o.get("index"), pred = o.get("prediction");
        if (idx == null || idx.isNull() || !idx.isValueNode()) throw new IllegalArgumentException("no \"index\"");
        if (pred == null || pred.isNull() || !pred.isValueNode()) throw new IllegalArgumentException("no \"prediction\" text");
        String index = idx.asText();
        if (index.strip().matches("[+-]?[0-9]+")) index = new java.math.BigInteger(index.strip()).toString();
        return new Prediction(index, pred.asText(), o.path("tiles").asInt(0), o.path("image_tokens").asInt(0),
                o.path("prompt_tokens").asInt(0), o.path("completion_tokens").asInt(0), o.path("seconds").asDouble(0));
    }

    /** Opens {@code file} to add to it, keeping what it holds; a cut-off last line is removed from the file. */
    public static PredictionStore open(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Map<String, Prediction> existing = new LinkedHashMap<>();
        if (Files.exists(file)) {
            Loaded l = load(file);
            existing.putAll(l.predictions());
            if (l.goodBytes() < Files.size(file)) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(l.goodBytes());
                }
            }
        }
        boolean needsNewline = false;
        if (Files.exists(file) && Files.size(file) > 0) { // the next record must start on its own line
            try (FileChannel r = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer lastByte = ByteBuffer.allocate(1);
                r.read(lastByte, r.size() - 1);
                needsNewline = lastByte.get(0) != '\n';
            }
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        if (needsNewline) ch.write(ByteBuffer.wrap(new byte[] {'\n'}));
        return new PredictionStore(file, ch, existing);
    }

    public Path file() {
        return file;
    }

    /** The predictions so far, in the order they were made. */
    public synchronized Map<String, Prediction> predictions() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(predictions));
    }

    public synchronized boolean has(String index) {
        return predictions.containsKey(index);
    }

    /** Appends one prediction and forces it to the disk. */
    public synchronized void append(Prediction p) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("index", p.index());
        o.put("prediction", p.prediction());
        o.put("tiles", p.tiles());
        o.put("image_tokens", p.imageTokens());
        o.put("prompt_tokens", p.promptTokens());
        o.put("completion_tokens", p.completionTokens());
        o.put("seconds", Math.round(p.seconds() * 1000) / 1000.0);
        ByteBuffer b = ByteBuffer.wrap((JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) channel.write(b);
        channel.force(false);
        predictions.put(p.index(), p);
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
