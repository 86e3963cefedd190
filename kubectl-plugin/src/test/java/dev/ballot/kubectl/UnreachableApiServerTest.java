package dev.ballot.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnreachableApiServerTest {
    /** A kubeconfig whose server refuses connections: the error names that server and the cause, exit code 1. */
    @Test
    void anUnreachableApiServerIsNamedWithWhyItCouldNotBeReached(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        Path kubeconfig = Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                clusters:
                - cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}
                  name: c
                contexts:
                - context: {cluster: c, user: u, namespace: default}
                  name: x
                current-context: x
                users:
                - name: u
                  user: {token: abc}
                """.formatted(port));
        String before = System.getProperty("kubeconfig");
        System.setProperty("kubeconfig", kubeconfig.toString());
        // fabric8 retries a refused connection 10 times (about 20 s) before the error; the message is the same after one
        System.setProperty("kubernetes.request.retry.backoffLimit", "1");
        try {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = KubectlBallot.run(new String[] {"status", "raft-3"}, new PrintWriter(out, true),
                    new PrintWriter(err, true));
            assertThat(code).isEqualTo(ExitCode.ERROR.code);
            assertThat(err.toString()).startsWith("error: cannot reach the API server https://127.0.0.1:" + port)
                    .contains("Connect").doesNotContain("An error has occurred");
        } finally {
            System.clearProperty("kubernetes.request.retry.backoffLimit");
            if (before == null) {
                System.clearProperty("kubeconfig");
            } else {
                System.setProperty("kubeconfig", before);
            }
        }
    }
}
