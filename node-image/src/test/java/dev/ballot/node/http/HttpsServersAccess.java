package dev.ballot.node.http;

import com.sun.net.httpserver.HttpServer;
import dev.ballot.node.tls.NodeTls;
import java.io.IOException;
import java.net.InetSocketAddress;

/** HttpsServers (package-private) for tests in other packages. */
public final class HttpsServersAccess {
  private HttpsServersAccess() {
  }

  public static HttpServer create(InetSocketAddress bind, NodeTls tls) throws IOException {
    return HttpsServers.create(bind, 16, tls);
  }
}
