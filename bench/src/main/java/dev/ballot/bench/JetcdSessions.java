package dev.ballot.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * jetcd 0.8.5 sessions, the same for etcd and Ballot's etcd API: one jetcd {@link Client} (one gRPC channel) per
 * member, shared by every session on it, as a gRPC application multiplexes its calls over one channel. jetcd's own
 * retries are off (a refusal is the bench's to count). A member that is killed or restarted gets a fresh client, so no
 * reconnect backoff of the old channel delays the next phase. With {@code --tls} every channel is gRPC over TLS with a
 * client certificate, as etcdctl's {@code --cert --key --cacert}.
 */
final class JetcdSessions implements AutoCloseable {
    /** {@code -Dballot.trace.writes=true} on the bench's java line: each put's start and answer, stamped as the members' trace. */
    private static final boolean TRACE = Boolean.getBoolean("ballot.trace.writes");
    private final Map<String, Client> clients = new ConcurrentHashMap<>();
    /** With {@code --tls}: the client certificate's directory (cert-manager's layout, its CA's ca.crt), else null. */
    private final Path certDir;

    /** Over TLS presenting the certificate in {@code certDir} and trusting its CA ({@code https://} endpoints); null: plain. */
    JetcdSessions(Path certDir) {
        this.certDir = certDir;
    }

    KvSession session(String endpoint) {
        Client client = clients.computeIfAbsent(endpoint, this::open);
        return new KvSession() {
            @Override
            public void put(String key, byte[] value, Duration timeout) throws Exception {
                if (TRACE) {
                    dev.ballot.etcd.StampedTrace.line(() -> "client put sent");
                }
                await(client.getKVClient().put(ByteSequence.from(key.getBytes()), ByteSequence.from(value)), timeout);
                if (TRACE) {
                    dev.ballot.etcd.StampedTrace.line(() -> "client put answered");
                }
            }

            @Override
            public byte[] linearizableGet(String key, Duration timeout) throws Exception {
                // jetcd's get is linearizable unless asked serializable: etcd's ReadIndex, Ballot's too
                List<KeyValue> kvs = await(client.getKVClient().get(ByteSequence.from(key.getBytes())), timeout).getKvs();
                if (kvs.isEmpty()) {
                    throw new IOException("get " + key + ": key absent");
                }
                return kvs.get(0).getValue().getBytes();
            }

            @Override
            public void close() {
                // the member's client is shared; closed with the cluster or when the member restarts
            }
        };
    }

    private Client open(String endpoint) {
        ClientBuilder b = Client.builder().endpoints(endpoint).retryMaxAttempts(0).connectTimeout(Duration.ofSeconds(2));
        if (certDir != null) {
            try {
                b.sslContext(BenchTls.jetcd(certDir));
            } catch (SSLException e) {
                throw new UncheckedIOException("jetcd TLS with the certificate in " + certDir + ": " + e.getMessage(), e);
            }
        }
        return b.build();
    }

    /** Drops the member's client (it was killed or restarted): the next session opens a fresh channel. */
    void forget(String endpoint) {
        Client c = clients.remove(endpoint);
        if (c != null) {
            c.close();
        }
    }

    private static <T> T await(CompletableFuture<T> f, Duration timeout) throws Exception {
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            f.cancel(true);
            throw e;
        }
    }

    @Override
    public void close() {
        clients.values().forEach(Client::close);
        clients.clear();
    }
}
