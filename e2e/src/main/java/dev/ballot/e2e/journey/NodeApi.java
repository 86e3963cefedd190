package dev.ballot.e2e.journey;

import dev.ballot.nodeapi.NodeClient;
import dev.ballot.nodeapi.NodeEndpoint;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The journey's one client for the members' own HTTP API (docs/node-api.md), shared by its writers and watchers: plain
 * HTTP, or HTTPS with the clusters' certificates when the journey runs with TLS on ({@link JourneyTls}).
 */
final class NodeApi {
  /** 2 s per call, as docs/node-api.md asks of clients (a follower's forward gives up after 1.5 s). */
  private static final Duration CONNECT = Duration.ofMillis(500);
  private static final Duration CALL = Duration.ofSeconds(2);
  private static volatile NodeClient client = NodeClient.create(CONNECT, CALL);
  private static volatile JourneyTls tls;

  private NodeApi() {
  }

  /** From now on HTTPS with {@code journeyTls}'s certificates (once, before the scenarios run). */
  static synchronized void useTls(JourneyTls journeyTls) {
    tls = journeyTls;
    client = NodeClient.create(CONNECT, CALL, null, journeyTls.context());
  }

  static NodeEndpoint at(InetSocketAddress member) {
    JourneyTls t = tls;
    if (t != null) {
      t.refresh();
    }
    return client.at(member.getHostString() + ":" + member.getPort());
  }
}
