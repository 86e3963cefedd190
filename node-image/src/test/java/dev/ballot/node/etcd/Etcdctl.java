package dev.ballot.node.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs Debian's etcdctl (API v3) against {@code endpoints}: what a user of etcd's CLI types. */
record Etcdctl(List<String> endpoints) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one etcdctl run printed (stdout and stderr together). */
    record Run(int exit, String out) {
    }

    List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints=" + String.join(",", endpoints),
                "--command-timeout=10s"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    Run run(String stdin, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command(args)).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "3");
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    /** The output of a run that must succeed. */
    String ok(String... args) throws Exception {
        Run r = run(null, args);
        assertThat(r.exit()).as("etcdctl %s: %s", String.join(" ", args), r.out()).isZero();
        return r.out();
    }

    JsonNode json(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("-w");
        a.add("json");
        return JSON.readTree(ok(a.toArray(String[]::new)));
    }
}
