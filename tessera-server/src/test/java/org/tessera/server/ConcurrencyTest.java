package org.tessera.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.server.TestSupport.chat;
import static org.tessera.server.TestSupport.events;
import static org.tessera.server.TestSupport.get;
import static org.tessera.server.TestSupport.imageMsg;
import static org.tessera.server.TestSupport.parse;
import static org.tessera.server.TestSupport.png;
import static org.tessera.server.TestSupport.post;
import static org.tessera.server.TestSupport.streamedText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many requests at once on loopback: concurrent streams against the golden model, and overload, disconnects and
 * timeouts against a fake engine whose timing the test controls. Every test is bounded in count and time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConcurrencyTest {

    private static ObjectNode streaming(ObjectNode body) {
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        return body;
    }

    /** The 32 requests: text questions and questions about one of four pictures, greedy, 10 to 17 tokens. */
    private static List<ObjectNode> requests() {
        List<byte[]> pictures = List.of(png(80, 60, 0), png(60, 90, 1), png(120, 56, 2), png(56, 56, 3));
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            ObjectNode b = chat("Question number " + i + ": what is it?", 10 + i % 8);
            if (i % 2 == 1) {
                b.putArray("messages").add(imageMsg(pictures.get(i / 2 % 4), "Describe picture " + i + "."));
            }
            out.add(streaming(b));
        }
        return out;
    }

    /** What one stream must look like: a role first, text pieces, one finish reason, usage, [DONE] last. */
    private static String checkStream(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> ev = events(r.body());
        assertEquals("[DONE]", ev.getLast());
        JsonNode first = parse(ev.getFirst());
        assertEquals("assistant", first.path("choices").path(0).path("delta").path("role").asText());
        int finishes = 0;
        String id = first.path("id").asText();
        for (String e : ev.subList(0, ev.size() - 1)) {
            JsonNode c = parse(e);
            assertEquals(id, c.path("id").asText());
            assertEquals("chat.completion.chunk", c.path("object").asText());
            if (c.path("choices").path(0).path("finish_reason").isTextual()) finishes++;
        }
        assertEquals(1, finishes);
        JsonNode usage = parse(ev.get(ev.size() - 2)).path("usage");
        assertTrue(usage.path("completion_tokens").asInt() > 0 && usage.path("prompt_tokens").asInt() > 0, usage.toString());
        return streamedText(ev);
    }

    @Test
    void thirtyTwoConcurrentStreamsEqualTheSameRequestsOneByOne() throws Exception {
        ServerConfig cfg = ServerConfig.defaults("tiny").withPort(0).withParallel(4).withQueue(32);
        try (TesseraServer s = TesseraServer.start(TestSupport.GOLDEN, false, cfg)) {
            List<ObjectNode> reqs = requests();
            List<String> serial = new ArrayList<>();
            for (ObjectNode r : reqs) serial.add(checkStream(post(s, r)));
            assertTrue(serial.stream().allMatch(t -> !t.isEmpty()));
            assertTrue(new HashSet<>(serial).size() > 8, "the requests differ, so should most answers: " + serial);

            List<CompletableFuture<HttpResponse<String>>> fs = new ArrayList<>();
            for (ObjectNode r : reqs) {
                fs.add(TestSupport.HTTP.sendAsync(HttpRequest.newBuilder(TestSupport.uri(s, TesseraServer.CHAT))
                        .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofString(r.toString())).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < reqs.size(); i++) {
                HttpResponse<String> r = fs.get(i).get(90, TimeUnit.SECONDS);
                assertEquals(serial.get(i), checkStream(r), "request " + i);
                ids.add(parse(events(r.body()).getFirst()).path("id").asText());
            }
            assertEquals(32, ids.size());
            String m = get(s, "/metrics").body();
            assertTrue(m.contains("tessera_chat_completions_total 64\n"), m);
            assertTrue(m.contains("tessera_http_requests_total{route=\"/v1/chat/completions\",status=\"200\"} 64\n"), m);
            assertTrue(m.contains("tessera_queue_length 0\n") && m.contains("tessera_request_duration_seconds_count 64\n"), m);
        }
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(5);
        }
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(TesseraServer s, JsonNode body) {
        return TestSupport.HTTP.sendAsync(HttpRequest.newBuilder(TestSupport.uri(s, TesseraServer.CHAT))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFullQueueAnswers429AndTheOthersStillFinish() throws Exception {
        FakeEngine engine = new FakeEngine(false, 3, 0);
        ServerConfig cfg = ServerConfig.defaults("fake").withPort(0).withParallel(1).withQueue(1);
        try (TesseraServer s = TesseraServer.start(engine, cfg)) {
            var running = postAsync(s, chat("a", 3));
            await(() -> engine.started.get() == 1, "the first request runs");
            var waiting = postAsync(s, streaming(chat("b", 3)));
            await(() -> parse(get(s, "/health").body()).path("queued").asInt() == 1, "the second request waits");
            HttpResponse<String> refused = post(s, chat("c", 3));
            assertEquals(429, refused.statusCode());
            JsonNode err = parse(refused.body()).path("error");
            assertEquals("rate_limit_error", err.path("type").asText());
            assertEquals("queue_full", err.path("code").asText());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
            String m = get(s, "/metrics").body();
            assertTrue(m.contains("tessera_queue_length 1\n") && m.contains("tessera_active_generations 1\n"), m);
            assertTrue(m.contains("tessera_http_requests_total{route=\"/v1/chat/completions\",status=\"429\"} 1\n"), m);
            engine.gate.countDown();
            assertEquals(200, running.get(10, TimeUnit.SECONDS).statusCode());
            assertEquals("t0 t1 t2", parse(running.get().body()).path("choices").path(0).path("message").path("content").asText());
            assertEquals("t0 t1 t2", checkStream(waiting.get(10, TimeUnit.SECONDS)));
            assertEquals(200, post(s, chat("d", 3)).statusCode());
        }
    }

    /** Sends a chat request on a raw socket, reads until {@code until} shows up, then closes the connection. */
    private static void requestAndHangUp(TesseraServer s, JsonNode body, BooleanSupplier until) throws Exception {
        byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
        try (Socket sock = new Socket("127.0.0.1", s.port())) {
            OutputStream o = sock.getOutputStream();
            o.write(("POST " + TesseraServer.CHAT + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            o.write(b);
            o.flush();
            if (body.path("stream").asBoolean()) {
                BufferedReader r = new BufferedReader(new InputStreamReader(sock.getInputStream(), StandardCharsets.UTF_8));
                int data = 0;
                for (String line; data < 4 && (line = r.readLine()) != null; ) if (line.startsWith("data: ")) data++;
                assertEquals(4, data);
            }
            await(until, "the request is under way");
        }
    }

    @Test
    void aClientThatHangsUpStopsItsStream() throws Exception {
        FakeEngine engine = new FakeEngine(true, 100_000, 10);
        try (TesseraServer s = TesseraServer.start(engine, ServerConfig.defaults("fake").withPort(0).withParallel(1))) {
            requestAndHangUp(s, streaming(chat("go", 100_000)), () -> true);
            assertTrue(engine.sawCancel.await(10, TimeUnit.SECONDS), "generation goes on after the client left");
            assertTrue(engine.lastTokens < 2000, "stopped after " + engine.lastTokens + " tokens");
            await(() -> s.metrics().cancelledCount("client_disconnect") == 1, "the disconnect is counted");
            // The slot is free again.
            assertEquals(200, post(s, chat("again", 2)).statusCode());
        }
    }

    @Test
    void aClientThatHangsUpStopsItsPlainRequest() throws Exception {
        FakeEngine engine = new FakeEngine(true, 100_000, 10);
        try (TesseraServer s = TesseraServer.start(engine, ServerConfig.defaults("fake").withPort(0).withParallel(1))) {
            requestAndHangUp(s, chat("go", 100_000), () -> engine.started.get() == 1);
            assertTrue(engine.sawCancel.await(10, TimeUnit.SECONDS), "generation goes on after the client left");
            assertTrue(engine.lastTokens < 2000, "stopped after " + engine.lastTokens + " tokens");
        }
    }

    @Test
    void requestsThatRunOutOfTimeGet504() throws Exception {
        FakeEngine engine = new FakeEngine(false, 100_000, 5);
        engine.stuck = true;
        ServerConfig cfg = ServerConfig.defaults("fake").withPort(0).withParallel(1).withQueue(2).withTimeout(Duration.ofMillis(800));
        try (TesseraServer s = TesseraServer.start(engine, cfg)) {
            long t0 = System.nanoTime();
            var stuck = postAsync(s, chat("stuck", 100_000));
            await(() -> engine.started.get() == 1, "the first request runs");
            // The second waits behind it and its time runs out in the queue: 504, and it never runs.
            HttpResponse<String> q = post(s, chat("queued", 100_000));
            assertEquals(504, q.statusCode(), q.body());
            assertEquals("timeout", parse(q.body()).path("error").path("code").asText());
            assertEquals("timeout", parse(q.body()).path("error").path("type").asText());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(4));
            assertEquals(1, engine.started.get());
            engine.gate.countDown(); // the stuck one moves on, sees it was cancelled, and stops
            assertEquals(504, stuck.get(20, TimeUnit.SECONDS).statusCode());
            assertTrue(engine.sawCancel.await(5, TimeUnit.SECONDS));

            // Generating past the deadline: a plain request gets 504, a stream an error event before [DONE].
            HttpResponse<String> slow = post(s, chat("slow", 100_000));
            assertEquals(504, slow.statusCode(), slow.body());
            HttpResponse<String> st = post(s, streaming(chat("slow stream", 100_000)));
            assertEquals(200, st.statusCode());
            List<String> ev = events(st.body());
            assertEquals("[DONE]", ev.getLast());
            assertEquals("timeout", parse(ev.get(ev.size() - 2)).path("error").path("code").asText());
            assertTrue(s.metrics().cancelledCount("timeout") >= 3);
        }
    }
}
