package org.tessera.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.server.TestSupport.chat;
import static org.tessera.server.TestSupport.dataUrl;
import static org.tessera.server.TestSupport.get;
import static org.tessera.server.TestSupport.parse;
import static org.tessera.server.TestSupport.png;
import static org.tessera.server.TestSupport.post;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every refusal, on a server with small limits over the golden model: the status, and OpenAI's error body with the
 * type, code and parameter a client can act on.
 */
class ErrorsTest {
    static final long MAX_BYTES = 300_000;
    static TesseraServer server;
    @TempDir
    static Path tmp;
    static Path allowed;

    @BeforeAll
    static void start() throws IOException {
        allowed = Files.createDirectories(tmp.resolve("images"));
        Files.write(allowed.resolve("ok.png"), png(80, 60, 1));
        Files.write(tmp.resolve("secret.png"), png(80, 60, 2));
        Files.createSymbolicLink(allowed.resolve("link.png"), tmp.resolve("secret.png"));
        ServerConfig cfg = ServerConfig.defaults("tiny").withPort(0).withMaxRequestBytes(MAX_BYTES).withMaxImagePixels(40_000)
                .withMaxImages(2).withMaxPromptTokens(400).withAllowLocalFiles(allowed);
        server = TesseraServer.start(TestSupport.GOLDEN, false, cfg);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ObjectNode body(Consumer<ObjectNode> edit) {
        ObjectNode b = chat("Hello?", 4);
        edit.accept(b);
        return b;
    }

    /** A body whose only message is a user message with one image part of URL {@code url}, then a text part. */
    private static ObjectNode image(String url) {
        ObjectNode b = chat("x", 4);
        ArrayNode parts = ((ObjectNode) b.get("messages").get(0)).putArray("content");
        parts.addObject().put("type", "image_url").putObject("image_url").put("url", url);
        parts.addObject().put("type", "text").put("text", "What is it?");
        return b;
    }

    private static Arguments c(String what, String body, int status, String code, String param) {
        return Arguments.of(what, body, status, code, param);
    }

    private static Arguments c(String what, JsonNode body, int status, String code, String param) {
        return c(what, body.toString(), status, code, param);
    }

    static Stream<Arguments> cases() {
        byte[] good = png(80, 60, 0);
        byte[] truncated = Arrays.copyOf(png(100, 100, 0), 70); // the header says 100x100; the pixel data is cut
        String png = dataUrl(good);
        return Stream.of(
                c("malformed JSON", "{\"messages\": [", 400, "invalid_json", null),
                c("trailing garbage", chat("a", 2) + "}", 400, "invalid_json", null),
                c("not an object", "[1, 2]", 400, null, null),
                c("empty body", "", 400, null, null),
                c("no messages", "{\"model\": \"tiny\"}", 400, null, "messages"),
                c("messages not an array", "{\"messages\": \"hi\"}", 400, null, "messages"),
                c("no message", "{\"messages\": []}", 400, null, "messages"),
                c("no role", "{\"messages\": [{\"content\": \"hi\"}]}", 400, null, "messages[0].role"),
                c("unknown role", "{\"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}", 400, null, "messages[0].role"),
                c("tool message", "{\"messages\": [{\"role\": \"tool\", \"content\": \"hi\"}]}", 400, null, "messages[0].role"),
                c("no content", "{\"messages\": [{\"role\": \"user\"}]}", 400, null, "messages[0].content"),
                c("content of the wrong type", "{\"messages\": [{\"role\": \"user\", \"content\": 5}]}", 400, null, "messages[0].content"),
                c("ends with the assistant", "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\"}]}",
                        400, null, "messages"),
                c("starts with the assistant", "{\"messages\": [{\"role\": \"assistant\", \"content\": \"b\"}, {\"role\": \"user\", \"content\": \"a\"}]}",
                        400, null, "messages[0]"),
                c("unknown part type", "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"input_audio\"}]}]}",
                        400, null, "messages[0].content[0].type"),
                c("text part without text", "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\"}]}]}",
                        400, null, "messages[0].content[0].text"),
                c("image part without url", "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": {}}]}]}",
                        400, null, "messages[0].content[0].image_url.url"),
                c("bad base64", image("data:image/png;base64,iVBORw0KGgo!!!"), 400, "invalid_base64", "messages[0].content[0].image_url.url"),
                c("data URL without base64", image("data:image/png,abc"), 400, "invalid_image_url", "messages[0].content[0].image_url.url"),
                c("not an image", image("data:image/png;base64," + Base64.getEncoder().encodeToString("hello world".getBytes())),
                        400, "invalid_image", "messages[0].content[0].image_url.url"),
                c("truncated image", image(dataUrl(truncated)), 400, "invalid_image", "messages"),
                c("remote URL", image("https://example.com/cat.png"), 400, "invalid_image_url", "messages[0].content[0].image_url.url"),
                c("unknown scheme", image("ftp://example.com/cat.png"), 400, "invalid_image_url", "messages[0].content[0].image_url.url"),
                c("path outside the folder", image("../secret.png"), 403, "file_not_allowed", "messages[0].content[0].image_url.url"),
                c("absolute path outside", image(tmp.resolve("secret.png").toString()), 403, "file_not_allowed",
                        "messages[0].content[0].image_url.url"),
                c("link out of the folder", image("link.png"), 403, "file_not_allowed", "messages[0].content[0].image_url.url"),
                c("no such file", image("missing.png"), 400, "invalid_image", "messages[0].content[0].image_url.url"),
                c("image in an assistant message", "{\"messages\": [{\"role\": \"assistant\", \"content\": [{\"type\": \"image_url\","
                        + " \"image_url\": {\"url\": \"" + png + "\"}}]}, {\"role\": \"user\", \"content\": \"a\"}]}", 400, null, "messages[0].content[0]"),
                c("too many images", body(b -> {
                    ArrayNode parts = ((ObjectNode) b.get("messages").get(0)).putArray("content");
                    for (int i = 0; i < 3; i++) parts.addObject().put("type", "image_url").putObject("image_url").put("url", png);
                }), 413, "too_many_images", "messages[0].content[2]"),
                c("too many pixels", image(dataUrl(png(250, 200, 0))), 413, "image_too_large", "messages[0].content[0].image_url.url"),
                c("request too large", chat("word ".repeat((int) MAX_BYTES / 5), 2), 413, "request_too_large", null),
                c("prompt too long", chat("word ".repeat(600), 2), 413, "context_length_exceeded", "messages"),
                c("strategy the model cannot use", body(b -> {
                    b.set("messages", image(png).get("messages"));
                    b.putObject("tessera").put("strategy", "ixc-hd");
                }), 400, null, "messages"),
                c("unknown strategy", body(b -> b.putObject("tessera").put("strategy", "mosaic")), 400, null, "tessera"),
                c("unknown tessera option", body(b -> b.putObject("tessera").put("colour", 1)), 400, null, "tessera.colour"),
                c("tessera not an object", body(b -> b.put("tessera", 3)), 400, null, "tessera"),
                c("max_tiles not a number", body(b -> b.putObject("tessera").put("max_tiles", "six")), 400, null, "tessera.max_tiles"),
                c("temperature too high", body(b -> b.put("temperature", 3)), 400, null, "temperature"),
                c("temperature not a number", body(b -> b.put("temperature", "hot")), 400, null, "temperature"),
                c("top_p zero", body(b -> b.put("top_p", 0)), 400, null, "top_p"),
                c("max_tokens zero", body(b -> b.put("max_tokens", 0)), 400, null, "max_tokens"),
                c("max_tokens fractional", body(b -> b.put("max_tokens", 2.5)), 400, null, "max_tokens"),
                c("n above 1", body(b -> b.put("n", 2)), 400, null, "n"),
                c("five stops", body(b -> b.putArray("stop").add("a").add("b").add("c").add("d").add("e")), 400, null, "stop"),
                c("empty stop", body(b -> b.put("stop", "")), 400, null, "stop"),
                c("seed not an integer", body(b -> b.put("seed", "x")), 400, null, "seed"),
                c("stream not a boolean", body(b -> b.put("stream", "yes")), 400, null, "stream"),
                c("model not a string", body(b -> b.put("model", 7)), 400, null, "model"),
                c("tools", body(b -> b.putArray("tools").addObject().put("type", "function")), 400, null, "tools"),
                c("logprobs", body(b -> b.put("logprobs", true)), 400, null, "logprobs"),
                c("JSON mode", body(b -> b.putObject("response_format").put("type", "json_object")), 400, null, "response_format"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedWithOpenAisErrorFormat(String what, String body, int status, String code, String param) {
        HttpResponse<String> r = post(server, TesseraServer.CHAT, body);
        assertError(r, status, code, param);
    }

    static void assertError(HttpResponse<String> r, int status, String code, String param) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode e = parse(r.body()).path("error");
        assertTrue(e.isObject(), r.body());
        assertFalse(e.path("message").asText().isBlank(), r.body());
        String type = switch (status) {
            case 403 -> "permission_error";
            default -> "invalid_request_error";
        };
        assertEquals(type, e.path("type").asText(), r.body());
        if (code != null) assertEquals(code, e.path("code").asText(), r.body());
        assertEquals(param == null ? "null" : param, param == null ? e.path("param").toString() : e.path("param").asText(), r.body());
        assertTrue(e.has("code") && e.has("param"), "every field is present: " + r.body());
    }

    @Test
    void routesAndMethods() {
        assertError(get(server, "/v1/nothing"), 404, "not_found", null);
        assertError(get(server, TesseraServer.CHAT), 405, "method_not_allowed", null);
        assertError(get(server, "/v1/models/gpt-4o"), 404, "model_not_found", "model");
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefused() {
        byte[] big = chat("word ".repeat((int) MAX_BYTES / 5), 2).toString().getBytes();
        HttpResponse<String> r = TestSupport.send(HttpRequest.newBuilder(TestSupport.uri(server, TesseraServer.CHAT))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build());
        assertError(r, 413, "request_too_large", null);
    }

    @Test
    void allowedLocalFilesAreRead() {
        HttpResponse<String> byPath = post(server, image("ok.png"));
        assertEquals(200, byPath.statusCode(), byPath.body());
        HttpResponse<String> byUrl = post(server, image(allowed.resolve("ok.png").toUri().toString()));
        assertEquals(200, byUrl.statusCode(), byUrl.body());
        assertEquals(parse(byPath.body()).path("choices").path(0).path("message").path("content"),
                parse(byUrl.body()).path("choices").path(0).path("message").path("content"));
        assertEquals(80, parse(byUrl.body()).path("tessera").path("images").path(0).path("width").asInt());
        // A streamed request refused before the model starts still gets its status, not a stream.
        ObjectNode tooLong = chat("word ".repeat(600), 2);
        tooLong.put("stream", true);
        assertError(post(server, tooLong), 413, "context_length_exceeded", "messages");
        String m = get(server, "/metrics").body();
        assertTrue(m.contains("tessera_http_requests_total{route=\"/v1/chat/completions\",status=\"413\"}"), m);
    }
}
