package org.tessera.server;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The server's counters in the Prometheus text exposition format (version 0.0.4), written by hand: requests by
 * route and status, tokens, cancellations, latency histograms, and the queue and slot gauges read when scraped.
 */
final class Metrics {
    private static final double[] LATENCY_BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> cancelled = new ConcurrentHashMap<>();
    final LongAdder promptTokens = new LongAdder();
    final LongAdder completionTokens = new LongAdder();
    final LongAdder completions = new LongAdder();
    final Histogram requestSeconds = new Histogram();
    final Histogram queueSeconds = new Histogram();
    final Histogram firstTokenSeconds = new Histogram();
    private final IntSupplier queued;
    private final IntSupplier active;
    private final int queueCapacity;
    private final int parallel;

    Metrics(IntSupplier queued, IntSupplier active, int queueCapacity, int parallel) {
        this.queued = queued;
        this.active = active;
        this.queueCapacity = queueCapacity;
        this.parallel = parallel;
    }

    void request(String route, int status) {
        requests.computeIfAbsent(route + "\u0000" + status, k -> new LongAdder()).increment();
    }

    /** A generation stopped early: "client_disconnect" or "timeout". */
    void cancelled(String reason) {
        cancelled.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    long requests(String route, int status) {
        LongAdder a = requests.get(route + "\u0000" + status);
        return a == null ? 0 : a.sum();
    }

    long cancelledCount(String reason) {
        LongAdder a = cancelled.get(reason);
        return a == null ? 0 : a.sum();
    }

    /** A cumulative histogram with fixed latency buckets, in seconds. */
    static final class Histogram {
        private final long[] counts = new long[LATENCY_BUCKETS.length];
        private long count;
        private double sum;

        synchronized void observe(double seconds) {
            for (int i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]) counts[i]++;
            count++;
            sum += seconds;
        }

        synchronized void write(StringBuilder sb, String name) {
            for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
                sb.append(name).append("_bucket{le=\"").append(num(LATENCY_BUCKETS[i])).append("\"} ").append(counts[i]).append('\n');
            }
            sb.append(name).append("_bucket{le=\"+Inf\"} ").append(count).append('\n');
            sb.append(name).append("_sum ").append(num(sum)).append('\n');
            sb.append(name).append("_count ").append(count).append('\n');
        }

        synchronized long count() { return count; }
    }

    String render() {
        StringBuilder sb = new StringBuilder(4096);
        head(sb, "tessera_http_requests_total", "counter", "HTTP requests answered, by route and status code.");
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach((k, v) -> sorted.put(k, v.sum()));
        sorted.forEach((k, v) -> {
            int z = k.indexOf('\u0000');
            sb.append("tessera_http_requests_total{route=\"").append(escape(k.substring(0, z))).append("\",status=\"")
                    .append(k.substring(z + 1)).append("\"} ").append(v).append('\n');
        });
        head(sb, "tessera_chat_completions_total", "counter", "Chat completions that finished generating.");
        sb.append("tessera_chat_completions_total ").append(completions.sum()).append('\n');
        head(sb, "tessera_prompt_tokens_total", "counter", "Prompt tokens processed, image tokens included.");
        sb.append("tessera_prompt_tokens_total ").append(promptTokens.sum()).append('\n');
        head(sb, "tessera_completion_tokens_total", "counter", "Tokens generated.");
        sb.append("tessera_completion_tokens_total ").append(completionTokens.sum()).append('\n');
        head(sb, "tessera_generations_cancelled_total", "counter", "Generations stopped early, by reason.");
        for (String reason : new String[] {"client_disconnect", "timeout"}) {
            sb.append("tessera_generations_cancelled_total{reason=\"").append(reason).append("\"} ").append(cancelledCount(reason)).append('\n');
        }
        head(sb, "tessera_request_duration_seconds", "histogram", "Chat completion latency from arrival to the last byte.");
        requestSeconds.write(sb, "tessera_request_duration_seconds");
        head(sb, "tessera_queue_wait_seconds", "histogram", "Time a chat completion waited for a generation slot.");
        queueSeconds.write(sb, "tessera_queue_wait_seconds");
        head(sb, "tessera_time_to_first_token_seconds", "histogram", "Time from arrival to the first generated text.");
        firstTokenSeconds.write(sb, "tessera_time_to_first_token_seconds");
        head(sb, "tessera_queue_length", "gauge", "Requests waiting for a generation slot.");
        sb.append("tessera_queue_length ").append(queued.getAsInt()).append('\n');
        head(sb, "tessera_queue_capacity", "gauge", "Most requests that may wait (--queue).");
        sb.append("tessera_queue_capacity ").append(queueCapacity).append('\n');
        head(sb, "tessera_active_generations", "gauge", "Generations running now.");
        sb.append("tessera_active_generations ").append(active.getAsInt()).append('\n');
        head(sb, "tessera_generation_slots", "gauge", "Generations that may run at once (--parallel).");
        sb.append("tessera_generation_slots ").append(parallel).append('\n');
        return sb.toString();
    }

    private static void head(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        return String.format(Locale.ROOT, "%s", d);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
