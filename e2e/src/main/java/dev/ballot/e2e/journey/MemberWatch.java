package dev.ballot.e2e.journey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Polls the members' own {@code /v1/status} to time when the engine itself has a new leader, so a
 * failover's status lag splits into the engine's election and the operator's reporting.
 */
final class MemberWatch {
  private static final Set<String> LEADER_ROLES = Set.of("leader", "leading");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();

  /** Millis from {@code sinceMs} until a member leads in a term above {@code oldTerm}; -1 on deadline. */
  long awaitNewLeader(List<InetSocketAddress> members, long oldTerm, long sinceMs, long deadlineMs)
      throws InterruptedException {
    while (System.currentTimeMillis() < deadlineMs) {
      for (InetSocketAddress m : members) {
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + m.getHostString() + ":"
              + m.getPort() + "/v1/status")).timeout(Duration.ofMillis(300)).GET().build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            JsonNode s = JSON.readTree(r.body());
            if (LEADER_ROLES.contains(s.path("role").asText()) && s.path("term").asLong() > oldTerm) {
              return System.currentTimeMillis() - sinceMs;
            }
          }
        } catch (IOException e) {
          // the killed member, or one busy electing: try the others
        }
      }
      Thread.sleep(10);
    }
    return -1;
  }
}
