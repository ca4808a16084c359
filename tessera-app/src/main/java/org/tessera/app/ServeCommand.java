package org.tessera.app;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.tessera.server.ServerConfig;
import org.tessera.server.TesseraServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tessera serve}: an OpenAI-compatible HTTP server over one model. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a model over HTTP with OpenAI's chat-completions API: POST /v1/chat/completions (plain, or streamed as server-sent events with \"stream\": true), GET /v1/models, GET /health and GET /metrics (Prometheus).",
                "Images come as data: URLs, or as paths inside the folder given with --allow-local-files.",
                "Requests beyond --parallel running generations wait in a queue of --queue; one more gets 429. Stop with Ctrl-C."})
public final class ServeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = ServerConfig.DEFAULT_HOST,
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_PORT,
            description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--model-name", paramLabel = "NAME",
            description = "The model's id in /v1/models and in answers (default: the model directory's name).")
    String modelName;

    @Option(names = "--parallel", paramLabel = "N",
            description = "Generations that run at once, each with its own KV cache (default: 2, or 1 on a one-core machine).")
    Integer parallel;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_QUEUE,
            description = "Requests that may wait for a generation; more are refused with 429 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "Longest a chat completion may take, queueing included; then 504 (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--max-request-bytes", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_REQUEST_BYTES,
            description = "Largest request body, images included; larger ones get 413 (default: ${DEFAULT-VALUE}, 32 MiB).")
    long maxRequestBytes;

    @Option(names = "--max-image-pixels", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_IMAGE_PIXELS,
            description = "Largest image, width × height; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    long maxImagePixels;

    @Option(names = "--max-images", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_IMAGES,
            description = "Most images in one request; more get 413 (default: ${DEFAULT-VALUE}).")
    int maxImages;

    @Option(names = "--max-prompt-tokens", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_PROMPT_TOKENS,
            description = "Longest prompt, image tokens included; longer ones get 413 (default: ${DEFAULT-VALUE}; 0: the model's context).")
    int maxPromptTokens;

    @Option(names = "--allow-local-files", paramLabel = "DIR",
            description = "Let requests name image files (plain paths or file: URLs) inside DIR; nothing outside it is read. Off by default.")
    Path allowLocalFiles;

    @Spec
    CommandSpec spec;

    /** Where TESSERA_MODEL is read (tests replace it). */
    Map<String, String> env = System.getenv();

    /** Released to stop the server (by the shutdown hook, or a test). */
    final CountDownLatch stop = new CountDownLatch(1);

    /** The running server, once started. */
    volatile TesseraServer server;

    @Override
    public Integer call() throws InterruptedException {
        Path dir = model.resolve(env);
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": no such model directory");
        if (allowLocalFiles != null && !Files.isDirectory(allowLocalFiles)) {
            throw new ParameterException(spec.commandLine(), "--allow-local-files " + allowLocalFiles + ": no such folder");
        }
        String name = modelName != null ? modelName : dir.toAbsolutePath().normalize().getFileName().toString();
        ServerConfig cfg;
        try {
            cfg = new ServerConfig(host, port, parallel == null ? ServerConfig.defaultParallel() : parallel, queue,
                    Duration.ofSeconds(timeoutSeconds), maxRequestBytes, maxImagePixels, maxImages, maxPromptTokens, allowLocalFiles, name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        TesseraServer s = TesseraServer.start(dir, model.int8Llm, cfg);
        server = s;
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = new Thread(() -> { // Ctrl-C or SIGTERM: stop serving and let the close finish before the JVM halts
            stop.countDown();
            try {
                closed.await(15, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "tessera-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("tessera: serving %s on http://%s:%d/v1 (loaded in %.1f s; %d at once, queue %d, timeout %d s)%n",
                name, hostForUrl(cfg.host()), s.port(), (System.nanoTime() - t0) / 1e9, cfg.parallel(), cfg.queue(), timeoutSeconds);
        out.flush();
        try {
            stop.await();
        } finally {
            s.close();
            out.println("tessera: stopped");
            out.flush();
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
        return 0;
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
