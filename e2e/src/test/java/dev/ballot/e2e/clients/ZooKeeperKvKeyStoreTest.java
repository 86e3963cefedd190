package dev.ballot.e2e.clients;

import dev.ballot.nodeapi.tls.CertificateAuthority;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The secure ZooKeeper client's key store file is rewritten by every session that opens while other sessions' clients
 * read it: a reader must always find the key and the certificate whole.
 */
class ZooKeeperKvKeyStoreTest {
  @TempDir
  Path dir;

  @Test
  @Timeout(60)
  void aReaderNeverFindsTheKeyStoreHalfWrittenWhileSessionsRewriteIt() throws Exception {
    Instant now = Instant.now().minusSeconds(60);
    CertificateAuthority ca = CertificateAuthority.create("test-ca", now, Duration.ofDays(1));
    ca.writeDirectory(dir, ca.issue("journey", List.of(), List.of(), List.of(), now, Duration.ofDays(1)));
    Path keyStore = ZooKeeperKv.writeKeyStore(dir);
    String whole = Files.readString(keyStore);
    assertThat(whole).contains("PRIVATE KEY").contains("END CERTIFICATE");

    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger reads = new AtomicInteger();
    List<String> torn = new ArrayList<>();
    Thread reader = new Thread(() -> {
      while (writing.get()) {
        try {
          String seen = Files.readString(keyStore);
          reads.incrementAndGet();
          if (!seen.equals(whole) && torn.size() < 5) {
            torn.add(seen.length() + " of " + whole.length() + " characters");
          }
        } catch (NoSuchFileException e) {
          torn.add("missing");
        } catch (java.io.IOException e) {
          torn.add(e.toString());
        }
      }
    });
    reader.start();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      Thread t = new Thread(() -> {
        for (int i = 0; i < 300; i++) {
          try {
            ZooKeeperKv.writeKeyStore(dir);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      });
      writers.add(t);
      t.start();
    }
    for (Thread t : writers) {
      t.join();
    }
    writing.set(false);
    reader.join();

    assertThat(reads.get()).as("reads while 900 rewrites ran").isGreaterThan(10);
    assertThat(torn).as("reads that found the key store half-written or missing").isEmpty();
    try (var left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file left").noneMatch(n -> n.endsWith(".tmp"));
    }
  }
}
