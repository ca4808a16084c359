package org.tessera.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the server listens and what it accepts.
 *
 * @param host             address to bind (127.0.0.1: this machine only)
 * @param port             TCP port; 0 picks a free one
 * @param parallel         generations that run at once, each with its own KV cache
 * @param queue            requests that may wait for a free generation slot; one more is refused with 429
 * @param timeout          longest a chat completion may take, waiting in the queue included (504 after it)
 * @param maxRequestBytes  largest request body (413 beyond)
 * @param maxImagePixels   largest image, width × height as stored (413 beyond)
 * @param maxImages        most images in one request, over all its messages (413 beyond)
 * @param maxPromptTokens  longest prompt, image tokens included (413 beyond); 0: the model's context
 * @param allowLocalFiles  folder whose image files requests may name by path (file: URLs or plain paths);
 *                         null: only data: URLs
 * @param modelId          the name under which /v1/models lists the model and answers report it
 */
public record ServerConfig(String host, int port, int parallel, int queue, Duration timeout, long maxRequestBytes,
                           long maxImagePixels, int maxImages, int maxPromptTokens, Path allowLocalFiles, String modelId) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_QUEUE = 16;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    public static final long DEFAULT_MAX_REQUEST_BYTES = 32L << 20;
    public static final long DEFAULT_MAX_IMAGE_PIXELS = 25_000_000L;
    public static final int DEFAULT_MAX_IMAGES = 8;
    public static final int DEFAULT_MAX_PROMPT_TOKENS = 8192;

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(modelId, "modelId");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        if (parallel < 1) throw new IllegalArgumentException("parallel must be at least 1, got " + parallel);
        if (queue < 0) throw new IllegalArgumentException("queue must be 0 or more, got " + queue);
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        if (maxRequestBytes < 1 || maxRequestBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("max request bytes must be between 1 and " + (Integer.MAX_VALUE - 8) + ", got " + maxRequestBytes);
        }
        if (maxImagePixels < 1) throw new IllegalArgumentException("max image pixels must be positive, got " + maxImagePixels);
        if (maxImages < 0) throw new IllegalArgumentException("max images must be 0 or more, got " + maxImages);
        if (maxPromptTokens < 0) throw new IllegalArgumentException("max prompt tokens must be 0 (the model's context) or more, got " + maxPromptTokens);
    }

    /** The defaults: loopback, port 8080, min(2, cores) generations at once, a queue of 16, 5 minutes. */
    public static ServerConfig defaults(String modelId) {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, defaultParallel(), DEFAULT_QUEUE, DEFAULT_TIMEOUT, DEFAULT_MAX_REQUEST_BYTES,
                DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_IMAGES, DEFAULT_MAX_PROMPT_TOKENS, null, modelId);
    }

    /**
     * Each generation already spreads its matrix products over every core, so more than two at once only adds
     * memory; two lets one request's decode steps fill the gaps of another's.
     */
    public static int defaultParallel() {
        return Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    }

    public ServerConfig withHost(String v) { return new ServerConfig(v, port, parallel, queue, timeout, maxRequestBytes, maxImagePixels, maxImages, maxPromptTokens, allowLocalFiles, modelId); }
    public ServerConfig withPort(int v) { return new ServerConfig(host, v, parallel, queue, timeout, maxRequestBytes, maxImagePixels, maxImages, maxPromptTokens, allowLocalFiles, modelId); }
    public ServerConfig withParallel(int v) { return new ServerConfig(host, port, v, queue, timeout, maxRequestBytes, maxImagePixels, maxImages, maxPromptTokens, allowLocalFiles, modelId); }
    public ServerConfig withQueue(int v) { return new ServerConfig(host, port, parallel, v, timeout, maxRequestBytes, maxImagePixels, maxImages, maxPromptTokens, allowLocalFiles, modelId); }
    public ServerConfig withTimeout(Duration v) { return new ServerConfig(host, port, parallel, queue, v, maxRequestBytes, maxImagePixels, maxImages, maxPromptTokens, allowLocalFiles, modelId); }
    public ServerConfig withMaxRequestBytes(long v) { return new ServerConfig(host, port, parallel, queue, timeout, v, maxImagePixels, maxImages, maxPromptTokens, allowLocalFiles, modelId); }
    public ServerConfig withMaxImagePixels(long v) { return new ServerConfig(host, port, parallel, queue, timeout, maxRequestBytes, v, maxImages, maxPromptTokens, allowLocalFiles, modelId); }
    public ServerConfig withMaxImages(int v) { return new ServerConfig(host, port, parallel, queue, timeout, maxRequestBytes, maxImagePixels, v, maxPromptTokens, allowLocalFiles, modelId); }
    public ServerConfig withMaxPromptTokens(int v) { return new ServerConfig(host, port, parallel, queue, timeout, maxRequestBytes, maxImagePixels, maxImages, v, allowLocalFiles, modelId); }
    public ServerConfig withAllowLocalFiles(Path v) { return new ServerConfig(host, port, parallel, queue, timeout, maxRequestBytes, maxImagePixels, maxImages, maxPromptTokens, v, modelId); }
    public ServerConfig withModelId(String v) { return new ServerConfig(host, port, parallel, queue, timeout, maxRequestBytes, maxImagePixels, maxImages, maxPromptTokens, allowLocalFiles, v); }
}
