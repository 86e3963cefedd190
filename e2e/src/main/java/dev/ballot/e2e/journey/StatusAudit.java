package dev.ballot.e2e.journey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Reads the API server's audit log of ElectionCluster status writes (e2e/controlplane/start.sh keeps one, JSON
 * lines, with the object as stored): when the status first named a leader of a higher term, by the API server's
 * own clock, to the microsecond. A watch in this harness tells when the event reached this JVM, which on the busy
 * 2-core CI machine came up to several hundred milliseconds after the write.
 */
final class StatusAudit {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A stored status naming {@code leader} in {@code term}, stored at {@code at}. */
  record Stored(Instant at, String leader, long term) {}

  private StatusAudit() {}

  /**
   * The first successful status write of {@code namespace/name} at or after {@code notBefore} whose stored object
   * names a leader in a term above {@code aboveTerm}. Lines that are not a complete audit event (the one being
   * written) are skipped.
   */
  static Optional<Stored> firstNewLeader(List<String> lines, String namespace, String name, long aboveTerm,
                                         Instant notBefore) {
    Stored first = null;
    for (String line : lines) {
      Optional<Stored> s = newLeaderIn(line, namespace, name, aboveTerm, notBefore);
      if (s.isPresent() && (first == null || s.get().at().isBefore(first.at()))) {
        first = s.get();
      }
    }
    return Optional.ofNullable(first);
  }

  /** {@link #firstNewLeader} on the file, read again until it holds one or {@code wait} passed (the write lands late). */
  static Optional<Stored> awaitFirstNewLeader(Path log, String namespace, String name, long aboveTerm,
                                              Instant notBefore, Duration wait) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      if (Files.exists(log)) {
        Optional<Stored> s = firstNewLeader(Files.readAllLines(log), namespace, name, aboveTerm, notBefore);
        if (s.isPresent() || System.nanoTime() > deadline) {
          return s;
        }
      } else if (System.nanoTime() > deadline) {
        return Optional.empty();
      }
      Thread.sleep(100);
    }
  }

  private static Optional<Stored> newLeaderIn(String line, String namespace, String name, long aboveTerm,
                                              Instant notBefore) {
    JsonNode event;
    try {
      event = JSON.readTree(line);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (event == null || !"ResponseComplete".equals(event.path("stage").asText())) {
      return Optional.empty();
    }
    JsonNode ref = event.path("objectRef");
    int code = event.path("responseStatus").path("code").asInt(0);
    if (!"electionclusters".equals(ref.path("resource").asText()) || !"status".equals(ref.path("subresource").asText())
        || !namespace.equals(ref.path("namespace").asText()) || !name.equals(ref.path("name").asText())
        || code < 200 || code > 299) {
      return Optional.empty();
    }
    JsonNode status = event.path("responseObject").path("status");
    String leader = status.path("leader").asText("");
    long term = status.path("term").asLong(-1);
    if (leader.isEmpty() || term <= aboveTerm) {
      return Optional.empty();
    }
    Instant at;
    try {
      at = Instant.parse(event.path("stageTimestamp").asText());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
    return at.isBefore(notBefore) ? Optional.empty() : Optional.of(new Stored(at, leader, term));
  }
}
