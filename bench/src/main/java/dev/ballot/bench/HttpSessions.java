package dev.ballot.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The one HTTP/1.1 client Ballot and etcd sessions share, so both are measured through the same stack. */
final class HttpSessions {
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bench-http");
        t.setDaemon(true);
        return t;
    });
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(200)).executor(POOL).build();

    private HttpSessions() {
    }

    static HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    static IOException refused(String what, HttpResponse<byte[]> r) {
        String body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
        return new IOException(what + " answered " + r.statusCode() + ": "
                + (body.length() > 200 ? body.substring(0, 200) : body));
    }
}
