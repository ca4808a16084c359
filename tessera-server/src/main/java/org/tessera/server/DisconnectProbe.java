package org.tessera.server;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * Notices that an HTTP/1 client closed its connection while its request waits or generates and nothing has been
 * written to it yet.
 *
 * <p>Jetty reads nothing from a connection while a request is being handled, so a client that hangs up is only
 * seen at the next write, and a plain (non-streamed) completion writes nothing until the answer is complete. The
 * probe registers read interest on the connection itself: when the socket becomes readable it reads one byte, and
 * end of stream (or a reset) means the client is gone. A client that sends more bytes instead (pipelining, which
 * no OpenAI client does with POST) has lost one of them, so the response then closes the connection.
 *
 * <p>Armed only while nothing is committed; {@link #disarm} must be called before the response is written, so the
 * probe never reads a byte of the next request on a kept-alive connection.
 */
final class DisconnectProbe {
    private static final DisconnectProbe NONE = new DisconnectProbe(null, () -> { });

    private final EndPoint endPoint;
    private final Runnable onGone;
    private final Callback callback;
    private boolean armed;
    private boolean poisoned;

    private DisconnectProbe(EndPoint endPoint, Runnable onGone) {
        this.endPoint = endPoint;
        this.onGone = onGone;
        this.callback = Callback.from(Invocable.InvocationType.BLOCKING, this::readable, failure -> { });
    }

    /** Starts watching the connection of {@code req}; {@code onGone} runs (on a Jetty thread) if the client leaves. */
    static DisconnectProbe arm(HttpServletRequest req, Runnable onGone) {
        String protocol = req.getProtocol();
        if (!"HTTP/1.1".equals(protocol) && !"HTTP/1.0".equals(protocol)) return NONE;
        ServletContextRequest core;
        try {
            core = ServletContextRequest.getServletContextRequest(req);
        } catch (IllegalStateException e) {
            return NONE;
        }
        if (core == null) return NONE;
        // Jetty's own view: a failure it notices (an idle timeout, a failed read) stops the generation too.
        core.addFailureListener(t -> onGone.run());
        Connection c = core.getConnectionMetaData().getConnection();
        if (c == null || !(c.getEndPoint() instanceof AbstractEndPoint ep)) return NONE;
        DisconnectProbe p = new DisconnectProbe(ep, onGone);
        synchronized (p) {
            p.armed = ep.tryFillInterested(p.callback);
        }
        return p;
    }

    private synchronized void readable() {
        if (!armed) return;
        armed = false;
        try {
            ByteBuffer one = BufferUtil.allocate(1);
            int n = endPoint.fill(one);
            if (n < 0) onGone.run();
            else if (n > 0) poisoned = true;
            else armed = endPoint.tryFillInterested(callback); // nothing there after all: keep watching
        } catch (IOException e) {
            onGone.run(); // reset by the peer
        }
    }

    /**
     * Stops watching, before anything is written. Returns true when the probe consumed a byte the client sent
     * after its request: the response must then close the connection.
     */
    synchronized boolean disarm() {
        if (armed) {
            armed = false;
            ((AbstractEndPoint) endPoint).getFillInterest().onFail(new CancellationException("the response is being written"));
        }
        return poisoned;
    }
}
