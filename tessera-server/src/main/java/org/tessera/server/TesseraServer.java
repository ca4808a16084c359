package org.tessera.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tessera.api.Answer;
import org.tessera.api.PromptTooLongException;
import org.tessera.api.VisionLanguageModel;
import org.tessera.vision.image.ImageLoadException;
import org.tessera.vision.image.ImageLoadOptions;
import org.tessera.vision.tiling.TilePlan;

/**
 * An OpenAI-compatible HTTP server over one model: {@code POST /v1/chat/completions} (plain and streamed as
 * server-sent events), {@code GET /v1/models}, {@code GET /health} and {@code GET /metrics}.
 *
 * <p>Requests are parsed and their images checked on the HTTP threads (virtual threads); generations run on
 * {@link ServerConfig#parallel} worker threads, each call with its own KV cache, behind a bounded queue
 * ({@link ServerConfig#queue}) that answers 429 when full. A generation stops when its client goes away (a write
 * fails, or {@link DisconnectProbe} sees the connection end before anything was written) or the request's time runs
 * out; a request whose client left while it waited is taken out of the queue.
 */
public final class TesseraServer implements AutoCloseable {
    static final String CHAT = "/v1/chat/completions";
    private static final Logger LOG = LoggerFactory.getLogger(TesseraServer.class);
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final ServerConfig cfg;
    private final Engine engine;
    private final ChatRequestParser parser;
    private final ObjectMapper json;
    private final ThreadPoolExecutor workers;
    private final AtomicInteger active = new AtomicInteger();
    private final Metrics metrics;
    private final long created = System.currentTimeMillis() / 1000;
    private final Javalin app;
    private final AutoCloseable owned;

    /**
     * Loads the model in {@code dir} with the server's limits (pixels, prompt tokens) and starts serving it.
     *
     * @param int8Llm quantise the language model's weights to int8 at load time
     */
    public static TesseraServer start(Path dir, boolean int8Llm, ServerConfig cfg) {
        VisionLanguageModel.Options o = VisionLanguageModel.Options.defaults().withInt8Llm(int8Llm)
                .withImageOptions(ImageLoadOptions.defaults().withMaxPixels(cfg.maxImagePixels()))
                .withMaxPromptTokens(cfg.maxPromptTokens());
        VisionLanguageModel vlm = VisionLanguageModel.load(dir, o);
        try {
            return new TesseraServer(Engine.of(vlm), cfg, vlm);
        } catch (RuntimeException e) {
            vlm.close();
            throw e;
        }
    }

    /**
     * Starts serving {@code engine}. The prompt-token and pixel limits of {@code cfg} are the engine's to enforce
     * (a model loaded with {@link #start(Path, boolean, ServerConfig)} does); the server checks each image's header
     * and the other limits itself.
     */
    public static TesseraServer start(Engine engine, ServerConfig cfg) {
        return new TesseraServer(engine, cfg, null);
    }

    private TesseraServer(Engine engine, ServerConfig cfg, AutoCloseable owned) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.owned = owned;
        this.parser = new ChatRequestParser(cfg, engine.stopTexts());
        this.json = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
        json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, cfg.maxRequestBytes())).build());
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(cfg.parallel(), cfg.parallel(), 0, TimeUnit.MILLISECONDS,
                cfg.queue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(cfg.queue()),
                r -> {
                    Thread t = new Thread(r, "tessera-generate-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        workers.prestartAllCoreThreads();
        this.metrics = new Metrics(() -> workers.getQueue().size(), active::get, cfg.queue(), cfg.parallel());
        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.concurrency.useVirtualThreads = true;
            c.http.compressionStrategy = CompressionStrategy.NONE;
            c.http.maxRequestSize = cfg.maxRequestBytes();
            c.http.prefer405over404 = true;
            c.jetty.host = cfg.host();
            c.jetty.port = cfg.port();
            c.routes.post(CHAT, this::chat);
            c.routes.get("/v1/models", this::models);
            c.routes.get("/v1/models/{id}", this::model);
            c.routes.get("/health", this::health);
            c.routes.get("/metrics", this::metricsPage);
            c.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e));
            c.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, new ApiError(500, "server_error", null, null,
                        "internal error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())));
            });
            // Javalin's own refusals (no such route, wrong method, ...) in OpenAI's error format too.
            c.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, switch (e.getStatus()) {
                case 404 -> new ApiError(404, "invalid_request_error", "not_found", null, "no such endpoint: " + ctx.method() + " " + ctx.path());
                case 405 -> new ApiError(405, "invalid_request_error", "method_not_allowed", null, ctx.method() + " is not allowed on " + ctx.path());
                case 413 -> ApiError.tooLarge("request_too_large", null, "the request body is more than the limit of " + cfg.maxRequestBytes() + " bytes");
                default -> new ApiError(e.getStatus(), e.getStatus() >= 500 ? "server_error" : "invalid_request_error", null, null, e.getMessage());
            }));
            c.routes.after(ctx -> metrics.request(route(ctx.path()), ctx.statusCode()));
        });
        try {
            app.start();
            // A plain request waits silently for its generation: the connection must outlive the request's time.
            long idle = cfg.timeout().toMillis() + TimeUnit.NANOSECONDS.toMillis(GRACE_NANOS) + 30_000;
            for (Connector c : app.jettyServer().server().getConnectors()) {
                if (c instanceof ServerConnector sc) sc.setIdleTimeout(Math.max(sc.getIdleTimeout(), idle));
            }
        } catch (RuntimeException e) {
            workers.shutdownNow();
            throw e;
        }
    }

    /** The port the server listens on (the one picked when the config asked for 0). */
    public int port() {
        return app.port();
    }

    public ServerConfig config() {
        return cfg;
    }

    /** Stops accepting, cancels what still runs, and closes the model when the server loaded it. */
    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            workers.shutdownNow();
            try {
                workers.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (owned != null) {
                try {
                    owned.close();
                } catch (Exception ignored) {
                    // closing unmaps weights; nothing to report to a caller that is shutting down
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- plain routes

    private static String route(String path) {
        return switch (path) {
            case CHAT, "/v1/models", "/health", "/metrics" -> path;
            default -> path.startsWith("/v1/models/") ? "/v1/models/{id}" : "other";
        };
    }

    private void models(Context ctx) {
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        root.putArray("data").add(modelNode());
        send(ctx, 200, root);
    }

    private void model(Context ctx) {
        if (!ctx.pathParam("id").equals(cfg.modelId())) {
            throw new ApiError(404, "invalid_request_error", "model_not_found", "model", "the model '" + ctx.pathParam("id")
                    + "' does not exist (this server serves '" + cfg.modelId() + "')");
        }
        send(ctx, 200, modelNode());
    }

    private ObjectNode modelNode() {
        ObjectNode m = json.createObjectNode();
        m.put("id", cfg.modelId());
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "tessera");
        return m;
    }

    private void health(Context ctx) {
        ObjectNode h = json.createObjectNode();
        h.put("status", "ok");
        h.put("model", cfg.modelId());
        h.put("active", active.get());
        h.put("parallel", cfg.parallel());
        h.put("queued", workers.getQueue().size());
        h.put("queue_capacity", cfg.queue());
        send(ctx, 200, h);
    }

    private void metricsPage(Context ctx) {
        ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.render());
    }

    Metrics metrics() {
        return metrics;
    }

    private void send(Context ctx, int status, JsonNode body) {
        try {
            ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void error(Context ctx, ApiError e) {
        if (e.status == 429) ctx.header("Retry-After", "1");
        send(ctx, e.status, e.body());
    }

    // ---------------------------------------------------------------------------------------------- completions

    private void chat(Context ctx) throws Exception {
        long arrival = System.nanoTime();
        JsonNode body = readBody(ctx);
        ChatRequestParser.Parsed p = parser.parse(body);
        Job job = new Job(engine, p, arrival, arrival + cfg.timeout().toNanos(), active, metrics);
        try {
            workers.execute(job);
        } catch (RejectedExecutionException e) {
            throw new ApiError(429, "rate_limit_error", "queue_full", null, "the server is busy: " + cfg.parallel()
                    + " generations are running and " + cfg.queue() + " requests are waiting; retry later");
        }
        DisconnectProbe probe = DisconnectProbe.arm(ctx.req(), () -> job.cancel(Job.CLIENT_GONE));
        try {
            String id = "chatcmpl-" + HexFormat.of().formatHex(randomBytes());
            long createdAt = System.currentTimeMillis() / 1000;
            if (p.stream()) stream(ctx, job, p, probe, id, createdAt);
            else complete(ctx, job, probe, id, createdAt);
        } finally {
            release(ctx, probe); // before an error response is written
        }
    }

    /** Stops watching the connection: something is about to be written to it. */
    private static void release(Context ctx, DisconnectProbe probe) {
        if (probe.disarm() && !ctx.res().isCommitted()) ctx.header("Connection", "close");
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[12];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    private JsonNode readBody(Context ctx) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > cfg.maxRequestBytes()) {
            ctx.header("Connection", "close");
            throw ApiError.tooLarge("request_too_large", null, "the request body is " + declared + " bytes, more than the limit of "
                    + cfg.maxRequestBytes());
        }
        int limit = (int) cfg.maxRequestBytes();
        byte[] buf = new byte[(int) Math.min(limit + 1L, declared >= 0 ? declared + 1 : 64 << 10)];
        int len = 0;
        try (InputStream in = ctx.req().getInputStream()) {
            while (true) {
                if (len == buf.length) {
                    if (len > limit) break;
                    buf = java.util.Arrays.copyOf(buf, (int) Math.min(limit + 1L, 2L * buf.length));
                }
                int r = in.read(buf, len, buf.length - len);
                if (r < 0) break;
                len += r;
            }
        }
        if (len > limit) {
            ctx.header("Connection", "close");
            throw ApiError.tooLarge("request_too_large", null, "the request body is more than the limit of " + limit + " bytes");
        }
        if (len == 0) throw ApiError.invalid(null, "the request body is empty (expected a JSON object)");
        try {
            return json.readTree(buf, 0, len);
        } catch (JsonProcessingException e) {
            throw ApiError.invalid("invalid_json", null, "malformed JSON: " + e.getOriginalMessage());
        }
    }

    /** What a failed generation tells the client. */
    private ApiError failure(Throwable t) {
        return switch (t) {
            case ApiError a -> a;
            case PromptTooLongException e -> ApiError.tooLarge("context_length_exceeded", "messages", e.getMessage());
            case ImageLoadException e -> ApiError.invalid("invalid_image", "messages", "unreadable image: " + e.getMessage());
            case IllegalArgumentException e -> ApiError.invalid("messages", e.getMessage());
            default -> {
                LOG.error("generation failed", t);
                yield new ApiError(500, "server_error", null, null, "generation failed: "
                        + (t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage()));
            }
        };
    }

    private ApiError timeout() {
        return new ApiError(504, "timeout", "timeout", null, "the request took longer than the server's limit of "
                + cfg.timeout().toSeconds() + " s");
    }

    /**
     * The next event of {@code job}, or null when the request's time is up: then the job is cancelled (taken out of
     * the queue if it has not started) and given a few seconds to stop.
     */
    private Object next(Job job) throws InterruptedException {
        while (true) {
            long wait = job.deadline - System.nanoTime();
            Object ev = wait > 0 ? job.events.poll(wait, TimeUnit.NANOSECONDS) : job.events.poll();
            if (ev == Job.WAKE) {
                // The client left: a request that still waits is dropped at once; a running one stops at its next check.
                if (workers.remove(job)) return Job.STOPPED;
                continue;
            }
            if (ev != null) return ev;
            job.cancel(Job.TIMEOUT);
            if (workers.remove(job)) return null;
            long end = System.nanoTime() + GRACE_NANOS;
            while ((wait = end - System.nanoTime()) > 0) {
                ev = job.events.poll(wait, TimeUnit.NANOSECONDS);
                if (ev != Job.WAKE && ev != Job.PROGRESS && !(ev instanceof String)) return ev;
            }
            return null;
        }
    }

    /** A cancelled job's end: true when the client should get 504, false when it left. */
    private static boolean timedOut(Job job) {
        return Job.TIMEOUT.equals(job.stopReason());
    }

    private void complete(Context ctx, Job job, DisconnectProbe probe, String id, long createdAt) throws InterruptedException {
        while (true) {
            Object ev = next(job);
            if (ev == Job.STOPPED || ev instanceof Answer a0 && a0.finishReason() == Answer.FinishReason.CANCELLED) {
                if (timedOut(job)) throw timeout();
                return; // the client is gone: nobody to answer
            }
            switch (ev) {
                case null -> throw timeout();
                case Throwable t -> throw failure(t);
                case Answer a -> {
                    release(ctx, probe);
                    ObjectNode root = envelope(id, "chat.completion", createdAt);
                    ObjectNode choice = root.putArray("choices").addObject();
                    choice.put("index", 0);
                    ObjectNode msg = choice.putObject("message");
                    msg.put("role", "assistant");
                    msg.put("content", a.text());
                    msg.putNull("refusal");
                    choice.putNull("logprobs");
                    choice.put("finish_reason", finishReason(a));
                    root.set("usage", usage(a));
                    root.set("tessera", extras(a));
                    send(ctx, 200, root);
                    job.finished(a);
                    return;
                }
                default -> { } // progress and text: a plain request waits for the whole answer
            }
        }
    }

    private void stream(Context ctx, Job job, ChatRequestParser.Parsed p, DisconnectProbe probe, String id, long createdAt) throws Exception {
        OutputStream out = null;
        Trimmer trim = new Trimmer();
        try {
            while (true) {
                Object ev = next(job);
                boolean stopped = ev == Job.STOPPED || ev instanceof Answer a0 && a0.finishReason() == Answer.FinishReason.CANCELLED;
                if (out == null) {
                    // Until the model has started, failures (unreadable image, long prompt) still get their status.
                    if (ev == null) throw timeout();
                    if (ev instanceof Throwable t) throw failure(t);
                    if (stopped) {
                        if (timedOut(job)) throw timeout();
                        return;
                    }
                    release(ctx, probe);
                    ctx.status(200);
                    ctx.res().setContentType("text/event-stream; charset=utf-8");
                    ctx.res().setHeader("Cache-Control", "no-cache");
                    ctx.res().setHeader("X-Accel-Buffering", "no");
                    out = ctx.res().getOutputStream();
                    ObjectNode first = chunk(id, createdAt);
                    ObjectNode delta = (ObjectNode) first.get("choices").get(0).get("delta");
                    delta.put("role", "assistant");
                    delta.put("content", "");
                    event(out, first);
                }
                switch (ev) {
                    case null -> {
                        event(out, timeout().body());
                        done(out);
                        return;
                    }
                    case Throwable t -> {
                        event(out, failure(t).body());
                        done(out);
                        return;
                    }
                    case String piece -> {
                        String s = trim.push(piece);
                        if (!s.isEmpty()) {
                            ObjectNode c = chunk(id, createdAt);
                            ((ObjectNode) c.get("choices").get(0).get("delta")).put("content", s);
                            event(out, c);
                        }
                    }
                    case Object o when stopped -> {
                        if (timedOut(job)) {
                            event(out, timeout().body());
                            done(out);
                        }
                        return;
                    }
                    case Answer a -> {
                        ObjectNode last = chunk(id, createdAt);
                        ((ObjectNode) last.get("choices").get(0)).put("finish_reason", finishReason(a));
                        last.set("tessera", extras(a));
                        event(out, last);
                        if (p.includeUsage()) {
                            ObjectNode u = envelope(id, "chat.completion.chunk", createdAt);
                            u.putArray("choices");
                            u.set("usage", usage(a));
                            event(out, u);
                        }
                        done(out);
                        job.finished(a);
                        return;
                    }
                    default -> { // progress of the image encoder or the prompt: a comment keeps the line alive
                        out.write(": progress\n\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                }
            }
        } catch (IOException e) {
            // The client went away (a write failed): stop generating for it.
            job.cancel(Job.CLIENT_GONE);
        }
    }

    private ObjectNode envelope(String id, String object, long createdAt) {
        ObjectNode root = json.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", createdAt);
        root.put("model", cfg.modelId());
        root.putNull("system_fingerprint");
        return root;
    }

    private ObjectNode chunk(String id, long createdAt) {
        ObjectNode c = envelope(id, "chat.completion.chunk", createdAt);
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return c;
    }

    private void event(OutputStream out, JsonNode data) throws IOException {
        byte[] b = json.writeValueAsBytes(data);
        out.write("data: ".getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void done(OutputStream out) throws IOException {
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String finishReason(Answer a) {
        return a.finishReason() == Answer.FinishReason.LENGTH ? "length" : "stop";
    }

    private ObjectNode usage(Answer a) {
        ObjectNode u = json.createObjectNode();
        u.put("prompt_tokens", a.promptTokens());
        u.put("completion_tokens", a.completionTokens());
        u.put("total_tokens", a.promptTokens() + a.completionTokens());
        return u;
    }

    /** tessera's own report: each image's tiling and the time spent per stage. */
    private ObjectNode extras(Answer a) {
        ObjectNode x = json.createObjectNode();
        ArrayNode images = x.putArray("images");
        for (TilePlan plan : a.plans()) {
            ObjectNode i = images.addObject();
            i.put("width", plan.width());
            i.put("height", plan.height());
            i.put("strategy", plan.strategy());
            i.put("cols", plan.cols());
            i.put("rows", plan.rows());
            i.put("tiles", plan.tiles().size());
            i.put("thumbnail", plan.hasThumbnail());
            i.put("tokens", plan.imageTokens());
        }
        ObjectNode t = x.putObject("timings");
        t.put("vision_ms", a.visionNanos() / 1e6);
        t.put("prefill_ms", a.prefillNanos() / 1e6);
        t.put("decode_ms", a.decodeNanos() / 1e6);
        t.put("prefill_tokens_per_second", a.prefillTokensPerSecond());
        t.put("decode_tokens_per_second", a.decodeTokensPerSecond());
        return x;
    }

    /** One chat completion on its way through a worker: the events it produces and how to stop it. */
    static final class Job implements Runnable, org.tessera.api.GenerationListener {
        static final String CLIENT_GONE = "client_disconnect";
        static final String TIMEOUT = "timeout";
        /** The encoder or the prompt moved on (streams only). */
        static final Object PROGRESS = new Object();
        /** The client left: the handler should look at the job. */
        static final Object WAKE = new Object();
        /** The job was cancelled before it started and never ran. */
        static final Object STOPPED = new Object();

        final BlockingQueue<Object> events = new java.util.concurrent.LinkedBlockingQueue<>();
        final long deadline;
        private final Engine engine;
        private final ChatRequestParser.Parsed parsed;
        private final long arrival;
        private final AtomicInteger active;
        private final Metrics metrics;
        private volatile String stopReason;
        private volatile long firstText;

        Job(Engine engine, ChatRequestParser.Parsed parsed, long arrival, long deadline, AtomicInteger active, Metrics metrics) {
            this.engine = engine;
            this.parsed = parsed;
            this.arrival = arrival;
            this.deadline = deadline;
            this.active = active;
            this.metrics = metrics;
        }

        @Override
        public void run() {
            metrics.queueSeconds.observe((System.nanoTime() - arrival) / 1e9);
            if (stopReason == null && System.nanoTime() - deadline > 0) cancel(TIMEOUT);
            if (stopReason != null) { // cancelled while it waited
                events.add(STOPPED);
                return;
            }
            active.incrementAndGet();
            try {
                events.add(engine.ask(parsed.request(), this));
            } catch (Throwable t) {
                events.add(t);
            } finally {
                active.decrementAndGet();
            }
        }

        synchronized void cancel(String why) {
            if (stopReason == null) {
                stopReason = why;
                metrics.cancelled(why);
                if (why.equals(CLIENT_GONE)) events.add(WAKE);
            }
        }

        String stopReason() {
            return stopReason;
        }

        /** The answer reached the client. */
        void finished(Answer a) {
            metrics.completions.increment();
            metrics.promptTokens.add(a.promptTokens());
            metrics.completionTokens.add(a.completionTokens());
            metrics.requestSeconds.observe((System.nanoTime() - arrival) / 1e9);
            if (firstText != 0) metrics.firstTokenSeconds.observe((firstText - arrival) / 1e9);
        }

        @Override
        public void onVision(int tiles, int layersDone, int layers) {
            progress();
        }

        @Override
        public void onPrompt(int done, int total) {
            progress();
        }

        private void progress() {
            if (parsed.stream()) events.add(PROGRESS);
        }

        @Override
        public void onText(String piece) {
            if (firstText == 0) firstText = System.nanoTime();
            if (parsed.stream()) events.add(piece);
        }

        @Override
        public boolean cancelled() {
            if (stopReason == null && System.nanoTime() - deadline > 0) cancel(TIMEOUT);
            return stopReason != null;
        }
    }
}
