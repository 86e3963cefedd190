package dev.ballot.e2e.clients;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * jetcd 0.8.5, one client per member (so a write goes where the caller says), 5 s per request. jetcd's own retries
 * are off: a dead member fails the call at once (connection refused) and the caller moves to the next one, instead of
 * jetcd retrying the dead member until the deadline.
 */
public final class EtcdKv implements ClientKv {
  private static final long TIMEOUT_MS = 5_000;
  private final Map<InetSocketAddress, Client> clients = new ConcurrentHashMap<>();
  /** Null: plain HTTP/2. Else the client certificate (cert-manager's layout) for a TLS cluster's etcd port. */
  private final java.nio.file.Path certDir;
  private final java.util.function.Function<InetSocketAddress, String> authority;

  EtcdKv() {
    this(null, null);
  }

  /**
   * A TLS cluster's etcd port (docs/etcd-api.md, TLS) with the certificate in {@code certDir}; {@code authority} names
   * the member at an address as its certificate does (pods are reached by address, certificates name DNS names).
   */
  EtcdKv(java.nio.file.Path certDir, java.util.function.Function<InetSocketAddress, String> authority) {
    this.certDir = certDir;
    this.authority = authority;
  }

  @Override
  public void put(InetSocketAddress member, String key, String value) throws IOException {
    await(client(member).getKVClient().put(bytes(key), bytes(value)), member);
  }

  @Override
  public Optional<String> get(InetSocketAddress member, String key) throws IOException {
    List<KeyValue> kvs = await(client(member).getKVClient().get(bytes(key)), member).getKvs();
    return kvs.isEmpty() ? Optional.empty() : Optional.of(kvs.get(0).getValue().toString(StandardCharsets.UTF_8));
  }

  @Override
  public String name() {
    return "jetcd";
  }

  @Override
  public void close() {
    clients.values().forEach(Client::close);
    clients.clear();
  }

  private Client client(InetSocketAddress member) {
    return clients.computeIfAbsent(member, m -> client(m, certDir, certDir == null ? null : authority.apply(m)));
  }

  /** One jetcd client of {@code member}, without retries; over TLS when {@code certDir} is set. */
  public static Client client(InetSocketAddress member, java.nio.file.Path certDir, String authority) {
    var b = Client.builder().endpoints((certDir == null ? "http://" : "https://") + member.getHostString() + ":"
        + member.getPort()).retryMaxAttempts(0).connectTimeout(java.time.Duration.ofSeconds(2))
        .maxInboundMessageSize(4 << 20);
    if (certDir != null) {
      try {
        b.authority(authority).sslContext(ssl -> ssl.trustManager(certDir.resolve("ca.crt").toFile())
            .keyManager(certDir.resolve("tls.crt").toFile(), certDir.resolve("tls.key").toFile()));
      } catch (javax.net.ssl.SSLException e) {
        throw new IllegalStateException("unusable certificate in " + certDir + ": " + e.getMessage(), e);
      }
    }
    return b.build();
  }

  private static <T> T await(CompletableFuture<T> f, InetSocketAddress member) throws IOException {
    try {
      return f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException("etcd at " + member + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new IOException("etcd at " + member + ": no answer in " + TIMEOUT_MS + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
