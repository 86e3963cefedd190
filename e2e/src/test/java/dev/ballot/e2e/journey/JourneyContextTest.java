package dev.ballot.e2e.journey;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Which client port the journey's writers use: TLS ZAB clusters serve ZooKeeper on secureClientPort 2281 only. */
class JourneyContextTest {
  @ParameterizedTest
  @CsvSource({"Raft,false,2379", "Raft,true,2379", "Zab,false,2181", "Zab,true,2281", "zab,true,2281"})
  void theClientPortFollowsProtocolAndTls(String protocol, boolean tls, int port) {
    assertThat(JourneyContext.clientPort(protocol, tls)).isEqualTo(port);
  }
}
