package org.tessera.server;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.tessera.api.Answer;
import org.tessera.api.GenerationListener;
import org.tessera.api.Request;

/**
 * An engine with controlled timing: it waits for {@link #gate} (while watching for cancellation), then emits
 * {@code "tN "} every {@code delayMillis} until {@code tokens} pieces or a cancellation.
 */
final class FakeEngine implements Engine {
    final CountDownLatch gate;
    final int tokens;
    final long delayMillis;
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger cancelled = new AtomicInteger();
    final AtomicInteger finished = new AtomicInteger();
    /** Released when a call saw its cancellation. */
    final CountDownLatch sawCancel = new CountDownLatch(1);
    volatile int lastTokens = -1;
    /** Waiting at the gate ignores cancellation, as an image encoder that cannot be interrupted does. */
    volatile boolean stuck;

    FakeEngine(boolean open, int tokens, long delayMillis) {
        this.gate = new CountDownLatch(open ? 0 : 1);
        this.tokens = tokens;
        this.delayMillis = delayMillis;
    }

    @Override
    public Answer ask(Request request, GenerationListener l) {
        started.incrementAndGet();
        Integer max = request.sampling().maxNewTokens();
        int tokens = max == null ? this.tokens : Math.min(max, this.tokens);
        try {
            while (!gate.await(5, TimeUnit.MILLISECONDS)) {
                if (!stuck && l.cancelled()) return cancelled("", 0);
            }
            l.onPrompt(3, 3);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < tokens; i++) {
                if (l.cancelled()) return cancelled(sb.toString(), i);
                String piece = "t" + i + " ";
                sb.append(piece);
                l.onText(piece);
                if (delayMillis > 0) Thread.sleep(delayMillis);
            }
            finished.incrementAndGet();
            lastTokens = tokens;
            return new Answer(sb.toString().strip(), Answer.FinishReason.LENGTH, 3, tokens, List.of(), 0, 0, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return cancelled("", 0);
        }
    }

    private Answer cancelled(String text, int n) {
        lastTokens = n;
        cancelled.incrementAndGet();
        sawCancel.countDown();
        return new Answer(text.strip(), Answer.FinishReason.CANCELLED, 3, n, List.of(), 0, 0, 0);
    }
}
