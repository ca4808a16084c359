package org.tessera.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;

/** Shared by the server tests: the golden checkpoint, pictures, and a small HTTP client. */
final class TestSupport {
    static final Path GOLDEN = Path.of("..", "tessera-model", "src", "test", "resources", "internvl-tiny-a");
    static final ObjectMapper JSON = new ObjectMapper();

    private TestSupport() {}

    /** A deterministic picture with structure, encoded as PNG. */
    static byte[] png(int w, int h, int seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (x * 255 / w + seed * 40) & 255, g = y * 255 / h, b = ((x / 7 + y / 5 + seed) % 2) * 200;
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String dataUrl(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    static ObjectNode obj() {
        return JSON.createObjectNode();
    }

    /** {"role": role, "content": text}. */
    static ObjectNode msg(String role, String text) {
        ObjectNode m = obj();
        m.put("role", role);
        m.put("content", text);
        return m;
    }

    /** A user message with an image (data URL) followed by a text part. */
    static ObjectNode imageMsg(byte[] png, String text) {
        ObjectNode m = obj();
        m.put("role", "user");
        var parts = m.putArray("content");
        parts.addObject().put("type", "image_url").putObject("image_url").put("url", dataUrl(png));
        parts.addObject().put("type", "text").put("text", text);
        return m;
    }

    /** A greedy chat body with one user message. */
    static ObjectNode chat(String question, int maxTokens) {
        ObjectNode b = obj();
        b.put("model", "internvl-tiny-a");
        b.putArray("messages").add(msg("user", question));
        b.put("max_tokens", maxTokens);
        b.put("temperature", 0);
        return b;
    }

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static URI uri(TesseraServer s, String path) {
        return URI.create("http://127.0.0.1:" + s.port() + path);
    }

    static HttpResponse<String> post(TesseraServer s, String path, String body) {
        return send(HttpRequest.newBuilder(uri(s, path)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static HttpResponse<String> post(TesseraServer s, JsonNode body) {
        return post(s, TesseraServer.CHAT, body.toString());
    }

    static HttpResponse<String> get(TesseraServer s, String path) {
        return send(HttpRequest.newBuilder(uri(s, path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    static HttpResponse<String> send(HttpRequest r) {
        try {
            return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The data: payloads of a server-sent event stream, in order ("[DONE]" included). */
    static List<String> events(String body) {
        List<String> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            for (String line : block.split("\n")) {
                if (line.startsWith("data: ")) out.add(line.substring(6));
            }
        }
        return out;
    }

    /** The content deltas of a stream joined. */
    static String streamedText(List<String> events) {
        StringBuilder sb = new StringBuilder();
        for (String e : events) {
            if (e.equals("[DONE]")) continue;
            JsonNode c = parse(e).path("choices");
            if (c.isArray() && !c.isEmpty()) sb.append(c.get(0).path("delta").path("content").asText(""));
        }
        return sb.toString();
    }
}
