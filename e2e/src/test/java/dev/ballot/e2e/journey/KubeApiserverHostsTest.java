package dev.ballot.e2e.journey;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kube-apiserver-on-ballot on a TLS cluster names members by the DNS names their certificates carry; its control
 * plane resolves them through a hosts file of its own, in a mount namespace of its own: the machine's /etc/hosts is
 * left as it was. Runs the wrapper for real (unshare, mount) with a stand-in for start.sh that resolves a name.
 */
class KubeApiserverHostsTest {
  @TempDir
  Path dir;

  private String run(List<String> cmd, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes());
  }

  @Test
  void theControlPlaneResolvesMemberNamesFromItsOwnHostsFileOnly() throws Exception {
    String name = "raft-3-0.raft-3-peers.e2e-hosts-test.svc";
    Path hosts = dir.resolve("hosts");
    Files.writeString(hosts, Files.readString(Path.of("/etc/hosts")) + "\n10.9.8.7 " + name + "\n");
    Path script = dir.resolve("start.sh");
    Files.writeString(script, "#!/bin/sh\necho \"state=$1\"\ngetent hosts " + name + "\n");
    script.toFile().setExecutable(true);
    String before = Files.readString(Path.of("/etc/hosts"));

    Map<String, String> env = Map.of("BALLOT_E2E_HOSTS_FILE", hosts.toString());
    String out = run(KubeApiserverOnBallot.hostsWrapper(script.toString(), "/tmp/cp-state", env), env);

    assertThat(out).contains("state=/tmp/cp-state").contains("10.9.8.7").contains(name);
    assertThat(Files.readString(Path.of("/etc/hosts"))).isEqualTo(before);
    assertThat(run(List.of("getent", "hosts", name), Map.of())).doesNotContain("10.9.8.7");
  }

  @Test
  void withoutAHostsFileStartShRunsAsItIs() {
    assertThat(KubeApiserverOnBallot.hostsWrapper("/r/start.sh", "/s", Map.of())).containsExactly("/r/start.sh", "/s");
  }
}
