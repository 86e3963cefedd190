package dev.ballot.e2e.clients;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Writes and reads a key the way an application does on a Ballot cluster: with the client of the cluster's
 * protocol (jetcd on a Raft cluster's etcd port, the ZooKeeper client on a ZAB cluster's 2181, or 2281 with TLS), one
 * member at a time.
 * Any failure is an {@link IOException}: the write may or may not have been applied, the caller counts it as
 * not acknowledged.
 */
public interface ClientKv extends AutoCloseable {
  void put(InetSocketAddress member, String key, String value) throws IOException;

  /** A read that sees every write acknowledged before it (etcd's linearizable read; ZooKeeper's sync + read). */
  Optional<String> get(InetSocketAddress member, String key) throws IOException;

  /**
   * Starts connecting to {@code members} in the background, so that a writer that moves to another member after a
   * failure finds its connection up: what a TLS client that already spoke to them would have. Nothing by default.
   */
  default void prepare(java.util.List<InetSocketAddress> members) {
  }

  /** Which client this is, for reports. */
  String name();

  @Override
  void close();

  /** The client for an ElectionCluster's {@code spec.protocol} ("Raft" or "Zab"). */
  static ClientKv forProtocol(String protocol) {
    return "zab".equalsIgnoreCase(protocol) ? new ZooKeeperKv() : new EtcdKv();
  }

  /**
   * The client for {@code protocol} on a TLS cluster, with the certificate in {@code certDir} (cert-manager's layout):
   * jetcd over TLS on the etcd port ({@link #etcdTls}), or ZooKeeper's secure client on secureClientPort.
   */
  static ClientKv forProtocolTls(String protocol, java.nio.file.Path certDir,
                                 java.util.function.Function<InetSocketAddress, String> authority) {
    return "zab".equalsIgnoreCase(protocol) ? new ZooKeeperKv(certDir) : etcdTls(certDir, authority);
  }

  /** jetcd on a TLS cluster's etcd port with the certificate in {@code certDir}; see {@link EtcdKv}. */
  static ClientKv etcdTls(java.nio.file.Path certDir, java.util.function.Function<InetSocketAddress, String> authority) {
    return new EtcdKv(certDir, authority);
  }
}
