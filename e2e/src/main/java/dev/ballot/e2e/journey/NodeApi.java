package dev.ballot.e2e.journey;

import dev.ballot.nodeapi.NodeClient;
import dev.ballot.nodeapi.NodeEndpoint;
import java.net.InetSocketAddress;
import java.time.Duration;

/** The journey's one client for the members' own HTTP API (docs/node-api.md), shared by its writers and watchers. */
final class NodeApi {
  /** 2 s per call, as docs/node-api.md asks of clients (a follower's forward gives up after 1.5 s). */
  private static final NodeClient CLIENT = NodeClient.create(Duration.ofMillis(500), Duration.ofSeconds(2));

  private NodeApi() {
  }

  static NodeEndpoint at(InetSocketAddress member) {
    return CLIENT.at(member.getHostString() + ":" + member.getPort());
  }
}
