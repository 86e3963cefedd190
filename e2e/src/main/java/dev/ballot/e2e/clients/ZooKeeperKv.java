package dev.ballot.e2e.clients;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * The ZooKeeper 3.9.4 Java client, one session per member (connected to that member only): a key is the znode
 * {@code /e2e-kv/<key>}. A session that lost its member is closed and opened again on the next call. On a TLS
 * cluster's {@code secureClientPort} it is ZooKeeper's secure client as an application sets it up ({@link #secure}).
 */
final class ZooKeeperKv implements ClientKv {
  private static final String ROOT = "/e2e-kv";
  private static final int SESSION_TIMEOUT_MS = 10_000;
  private static final long TIMEOUT_MS = 5_000;
  private final Map<InetSocketAddress, ZooKeeper> sessions = new ConcurrentHashMap<>();
  /** Null: plain. Else the certificate (cert-manager's layout) for a TLS cluster's secure port. */
  private final Path certDir;

  ZooKeeperKv() {
    this(null);
  }

  /** On a TLS cluster's secureClientPort with the certificate in {@code certDir}; null: plain. */
  ZooKeeperKv(Path certDir) {
    this.certDir = certDir;
  }

  /**
   * ZooKeeper's secure client (Netty, TLS) with the Secret's files as PEM stores: the key store is one file holding
   * the key and its certificate, the trust store the cluster's CA. The chain is checked; the host name is not, as
   * the journey reaches members by pod address while their certificates name DNS names (as JourneyTls does for HTTPS).
   */
  static ZKClientConfig secure(Path certDir) throws IOException {
    Path keyStore = writeKeyStore(certDir);
    ZKClientConfig config = withoutSasl();
    config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
    config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
    config.setProperty("zookeeper.ssl.keyStore.location", keyStore.toString());
    config.setProperty("zookeeper.ssl.keyStore.type", "PEM");
    config.setProperty("zookeeper.ssl.trustStore.location", certDir.resolve("ca.crt").toString());
    config.setProperty("zookeeper.ssl.trustStore.type", "PEM");
    config.setProperty("zookeeper.ssl.hostnameVerification", "false");
    return config;
  }

  /**
   * Writes {@code keystore.pem} (the key, then its certificate) beside the Secret's files, whole or not at all: each
   * session that opens writes it again (the certificate may have been renewed), while other sessions' clients (the
   * writer's, {@link #prepare}'s, other scenarios' on the same directory) read it as they connect. Written in place,
   * a reader could find it truncated and fail with "did not find a private key" (seen in quorum-loss-recovery-zab).
   */
  static Path writeKeyStore(Path certDir) throws IOException {
    Path keyStore = certDir.resolve("keystore.pem");
    Path next = Files.createTempFile(certDir, "keystore-", ".pem.tmp");
    try {
      Files.writeString(next, Files.readString(certDir.resolve("tls.key")) + Files.readString(certDir.resolve("tls.crt")));
      Files.move(next, keyStore, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(next);
    }
    return keyStore;
  }

  /**
   * No SASL: the members ask for none, and with it on the client looks up its server's canonical host name before it
   * connects (a reverse lookup of a pod address), which held new sessions 1-2 s in the bench (docs/bench.md): a
   * failover's first write after the session moves would carry that delay.
   */
  static ZKClientConfig withoutSasl() {
    ZKClientConfig config = new ZKClientConfig();
    config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
    return config;
  }

  @Override
  public void put(InetSocketAddress member, String key, String value) throws IOException {
    ZooKeeper zk = session(member);
    try {
      zk.create(ROOT + "/" + key, value.getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
          CreateMode.PERSISTENT);
    } catch (KeeperException e) {
      throw failed(member, zk, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  @Override
  public Optional<String> get(InetSocketAddress member, String key) throws IOException {
    ZooKeeper zk = session(member);
    String path = ROOT + "/" + key;
    try {
      // A ZooKeeper read is this member's view; sync first so it follows every write the leader committed.
      CompletableFuture<Integer> synced = new CompletableFuture<>();
      zk.sync(path, (rc, p, ctx) -> synced.complete(rc), null);
      int rc = synced.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (rc != KeeperException.Code.OK.intValue()) {
        throw failed(member, zk, KeeperException.create(KeeperException.Code.get(rc), path));
      }
      return Optional.of(new String(zk.getData(path, false, null), StandardCharsets.UTF_8));
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    } catch (KeeperException e) {
      throw failed(member, zk, e);
    } catch (ExecutionException | TimeoutException e) {
      throw failed(member, zk, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  /**
   * On a TLS cluster, opens a session to every member at once, in the background: a new TLS session (the client's
   * SSL context from the PEM files, a Netty event loop, the handshake) took seconds on the loaded 2-core machine
   * (e2e leader-failover-zab, 2026-12-07: no write acknowledged in the 2 s after the kill), which a writer moving to
   * the next member would otherwise pay after each failure. Plain sessions open in milliseconds: left to the first use.
   */
  @Override
  public void prepare(java.util.List<InetSocketAddress> members) {
    if (certDir == null) {
      return;
    }
    for (InetSocketAddress m : members) {
      Thread t = new Thread(() -> {
        try {
          session(m);
        } catch (IOException e) {
          // the writer's own call to this member opens it again, or reports why not
        }
      }, "zookeeper-kv-prepare-" + m);
      t.setDaemon(true);
      t.start();
    }
  }

  /** Whether a live session to {@code member} is open (for tests of {@link #prepare}). */
  boolean hasSession(InetSocketAddress member) {
    ZooKeeper zk = sessions.get(member);
    return zk != null && zk.getState().isConnected();
  }

  @Override
  public String name() {
    return "zookeeper";
  }

  @Override
  public void close() {
    sessions.values().forEach(ZooKeeperKv::closeQuietly);
    sessions.clear();
  }

  private ZooKeeper session(InetSocketAddress member) throws IOException {
    synchronized (lockFor(member)) {
      return openSession(member);
    }
  }

  private final Map<InetSocketAddress, Object> locks = new ConcurrentHashMap<>();

  /** One opener per member at a time: {@link #prepare}'s thread and the writer must not open two sessions. */
  private Object lockFor(InetSocketAddress member) {
    return locks.computeIfAbsent(member, m -> new Object());
  }

  private ZooKeeper openSession(InetSocketAddress member) throws IOException {
    ZooKeeper zk = sessions.get(member);
    if (zk != null && zk.getState().isAlive()) {
      return zk;
    }
    CountDownLatch connected = new CountDownLatch(1);
    Watcher watcher = event -> {
      if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
        connected.countDown();
      }
    };
    String connect = member.getHostString() + ":" + member.getPort();
    zk = new ZooKeeper(connect, SESSION_TIMEOUT_MS, watcher, certDir == null ? withoutSasl() : secure(certDir));
    try {
      if (!connected.await(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        closeQuietly(zk);
        throw new IOException("zookeeper at " + member + ": no session in " + TIMEOUT_MS + " ms");
      }
      try {
        zk.create(ROOT, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      } catch (KeeperException.NodeExistsException e) {
        // made by an earlier session
      }
    } catch (KeeperException e) {
      closeQuietly(zk);
      throw new IOException("zookeeper at " + member + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(zk);
      throw new IOException("interrupted");
    }
    sessions.put(member, zk);
    return zk;
  }

  /** A lost connection or session is dropped, so the next call to this member starts a fresh one. */
  private IOException failed(InetSocketAddress member, ZooKeeper zk, Exception e) {
    if (!(e instanceof KeeperException ke) || ke.code() == KeeperException.Code.CONNECTIONLOSS
        || ke.code() == KeeperException.Code.SESSIONEXPIRED || ke.code() == KeeperException.Code.SESSIONMOVED) {
      sessions.remove(member, zk);
      closeQuietly(zk);
    }
    return new IOException("zookeeper at " + member + ": " + e, e);
  }

  private static void closeQuietly(ZooKeeper zk) {
    try {
      zk.close(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
