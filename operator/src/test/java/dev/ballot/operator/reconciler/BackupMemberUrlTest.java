package dev.ballot.operator.reconciler;

import dev.ballot.operator.members.MemberUrls;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The member a backup is read from is spoken to as the cluster serves its API: https on TLS clusters. */
class BackupMemberUrlTest {
  @Test
  void aTlsClusterIsReadOverHttps() {
    assertThat(BackupExecutor.memberUrl(MemberUrls.DEFAULT_TEMPLATE, "raft-3", "prod", "raft-3-1", true))
        .hasToString("https://raft-3-1.raft-3-peers.prod.svc:8080");
  }

  @Test
  void aPlainClusterStaysOnHttp() {
    assertThat(BackupExecutor.memberUrl(MemberUrls.DEFAULT_TEMPLATE, "raft-3", "prod", "raft-3-1", false))
        .hasToString("http://raft-3-1.raft-3-peers.prod.svc:8080");
  }
}
