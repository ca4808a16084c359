package org.tessera.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.app.ForwardCommandTest.GOLDEN;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code tessera serve}: where the model comes from, and a server that starts, answers and stops. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServeCommandTest {

    private record Cli(CommandLine cl, ServeCommand serve, StringWriter out, StringWriter err) {}

    private static Cli cli(Map<String, String> env) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        ServeCommand serve = cl.getSubcommands().get("serve").getCommand();
        serve.env = env;
        return new Cli(cl, serve, out, err);
    }

    @Test
    void withoutAModelItSaysHowToGiveOne() {
        Cli c = cli(Map.of());
        int code = c.cl().execute("serve", "--port", "0");
        assertEquals(1, code);
        assertTrue(c.err().toString().contains("no model given: pass --model DIR or set TESSERA_MODEL"), c.err().toString());
        Cli missing = cli(Map.of());
        assertEquals(1, missing.cl().execute("serve", "--model", "no/such/dir"));
        assertTrue(missing.err().toString().contains("no/such/dir: no such model directory"), missing.err().toString());
        Cli bad = cli(Map.of());
        assertEquals(2, bad.cl().execute("serve", "--model", GOLDEN.toString(), "--parallel", "0"));
        assertTrue(bad.err().toString().contains("parallel must be at least 1"), bad.err().toString());
    }

    @Test
    void servesTheModelNamedByTesseraModelUntilStopped() throws Exception {
        Cli c = cli(Map.of("TESSERA_MODEL", GOLDEN.toString()));
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> c.cl().execute("serve", "--port", "0", "--queue", "3"));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (c.serve().server == null && !run.isDone() && System.nanoTime() < end) Thread.sleep(10);
        assertTrue(c.serve().server != null, c.err().toString());
        int port = c.serve().server.port();
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertTrue(health.body().contains("\"model\":\"internvl-tiny-a\"") && health.body().contains("\"queue_capacity\":3"), health.body());
        c.serve().stop.countDown();
        assertEquals(0, run.get(30, TimeUnit.SECONDS));
        assertTrue(c.out().toString().contains("serving internvl-tiny-a on http://127.0.0.1:" + port + "/v1"), c.out().toString());
    }
}
