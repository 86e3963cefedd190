package dev.ballot.node.etcd;

import dev.ballot.node.demo.LocalTls;
import dev.ballot.nodeapi.tls.CertIdentity;
import dev.ballot.nodeapi.tls.CertificateAuthority;
import dev.ballot.nodeapi.tls.ReloadingTls;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The etcd port of a TLS cluster (client auth Optional, the operator's default) with etcd's own clients: etcdctl
 * (Debian's etcd-client, installed by .ci/run) and jetcd 0.8.5 with a certificate from the cluster's CA (an
 * application's, as {@code spec.clients} issues) write and read, also through a follower, which forwards to its leader
 * with its own member certificate; without a certificate every call is refused UNAUTHENTICATED naming the fix; with
 * another CA's certificate the TLS handshake fails; plain HTTP/2 gets no answer. A renewed member certificate is
 * served on the etcd port without a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ClientTally.class)
@Timeout(180)
class EtcdTlsTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    EtcdCluster cluster;
    LocalTls tls;
    Path foreign;

    @BeforeAll
    void start() throws Exception {
        assertThat(Path.of("/usr/bin/etcdctl")).as("etcdctl: apt-get install etcd-client (.ci/run does)").exists();
        cluster = new EtcdCluster(work, "Optional");
        tls = cluster.cluster.tls();
        CertificateAuthority other = CertificateAuthority.create("another-ca", Instant.now().minusSeconds(60), Duration.ofDays(1));
        foreign = work.resolve("foreign");
        other.writeDirectory(foreign, other.issue("intruder", List.of(), List.of(), List.of(), Instant.now().minusSeconds(60),
                Duration.ofDays(1)));
        // it verifies the server with the cluster's CA; only its own certificate is from elsewhere
        Files.copy(tls.client().resolve("ca.crt"), foreign.resolve("ca.crt"), StandardCopyOption.REPLACE_EXISTING);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    record Run(int exit, String out) {
    }

    /** etcdctl against every member over https, presenting the certificate in {@code certDir} (null: none). */
    Run etcdctl(Path certDir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints=" + String.join(",", cluster.endpoints()),
                "--cacert=" + tls.client().resolve("ca.crt"), "--command-timeout=10s", "--dial-timeout=3s"));
        if (certDir != null) {
            cmd.add("--cert=" + certDir.resolve("tls.crt"));
            cmd.add("--key=" + certDir.resolve("tls.key"));
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "3");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    /** jetcd over TLS to one member, presenting the certificate in {@code certDir} (null: none). */
    Client jetcd(String endpoint, Path certDir) throws Exception {
        return Client.builder().endpoints(URI.create(endpoint)).connectTimeout(Duration.ofSeconds(3)).sslContext(b -> {
            b.trustManager(tls.client().resolve("ca.crt").toFile());
            if (certDir != null) {
                b.keyManager(certDir.resolve("tls.crt").toFile(), certDir.resolve("tls.key").toFile());
            }
        }).build();
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Test
    void etcdctlWithAClientCertificateWritesAndReadsThroughEveryMember() throws Exception {
        Run put = etcdctl(tls.client(), "put", "ctl-tls/a", "v1");
        assertThat(put.exit()).as(put.out()).isZero();
        long follower = cluster.awaitLeader() % 3 + 1;
        Run viaFollower = new Run(0, "");
        for (int attempt = 0; attempt < 3; attempt++) { // a forwarded write rides an election at most this often
            List<String> cmd = List.of("put", "ctl-tls/follower", "v2");
            viaFollower = etcdctlAt(cluster.endpoint(follower), tls.client(), cmd);
            if (viaFollower.exit() == 0) {
                break;
            }
        }
        assertThat(viaFollower.exit()).as("a write sent to follower %d (forwarded over TLS): %s", follower,
                viaFollower.out()).isZero();
        Run get = etcdctl(tls.client(), "get", "ctl-tls/", "--prefix");
        assertThat(get.out()).isEqualTo("ctl-tls/a\nv1\nctl-tls/follower\nv2\n");
        Run members = etcdctl(tls.client(), "member", "list");
        assertThat(members.out()).contains("https://").doesNotContain("http://");
        System.out.println("EtcdTlsTest: etcdctl with the application's certificate: put, put via follower " + follower
                + ", get, member list ok");
    }

    private Run etcdctlAt(String endpoint, Path certDir, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoint,
                "--cacert=" + tls.client().resolve("ca.crt"), "--command-timeout=10s",
                "--cert=" + certDir.resolve("tls.crt"), "--key=" + certDir.resolve("tls.key")));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "3");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void etcdctlWithoutACertificateOrWithAnotherCasIsRefused() throws Exception {
        assertThat(etcdctl(tls.client(), "put", "tls/guarded", "kept").exit()).isZero();

        Run none = etcdctl(null, "put", "tls/guarded", "overwritten");
        assertThat(none.exit()).as(none.out()).isNotZero();
        assertThat(none.out()).contains("Unauthenticated").contains("client certificate is required");

        Run other = etcdctl(foreign, "put", "tls/guarded", "overwritten");
        assertThat(other.exit()).as(other.out()).isNotZero();
        assertThat(other.out()).doesNotContain("OK");

        Run plain = new Run(0, "");
        {
            ProcessBuilder pb = new ProcessBuilder("etcdctl", "--endpoints=" + cluster.endpoint(1).replace("https://", "http://"),
                    "--dial-timeout=2s", "--command-timeout=4s", "put", "tls/guarded", "overwritten").redirectErrorStream(true);
            pb.environment().put("ETCDCTL_API", "3");
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            plain = new Run(p.exitValue(), out);
        }
        assertThat(plain.exit()).as("plain HTTP/2 to the TLS port: %s", plain.out()).isNotZero();

        assertThat(etcdctl(tls.client(), "get", "tls/guarded", "--print-value-only").out()).isEqualTo("kept\n");
        System.out.println("EtcdTlsTest: etcdctl refused: no certificate -> "
                + firstError(none)
                + "; another CA -> exit " + other.exit() + " " + firstError(other) + "; plain -> exit " + plain.exit() + " "
                + firstError(plain) + "; the key kept its value");
    }

    private static String firstError(Run r) {
        return r.out().lines().filter(l -> l.startsWith("Error")).findFirst().orElse("");
    }

    @Test
    void jetcdWithAClientCertificateWorksWithoutOrWithAnotherCasIsRefused() throws Exception {
        long leader = cluster.awaitLeader();
        for (long id = 1; id <= 3; id++) {
            try (Client c = jetcd(cluster.endpoint(id), tls.client())) {
                c.getKVClient().put(bs("tls/jetcd-" + id), bs("v" + id)).get(15, TimeUnit.SECONDS);
                assertThat(c.getKVClient().get(bs("tls/jetcd-" + id)).get(15, TimeUnit.SECONDS).getKvs().get(0)
                        .getValue().toString(StandardCharsets.UTF_8)).isEqualTo("v" + id);
            }
        }
        try (Client c = jetcd(cluster.endpoint(leader), null)) {
            assertThatThrownBy(() -> c.getKVClient().put(bs("tls/jetcd-1"), bs("overwritten")).get(15, TimeUnit.SECONDS))
                    .hasMessageContaining("client certificate is required");
        }
        try (Client c = jetcd(cluster.endpoint(leader), foreign)) {
            assertThatThrownBy(() -> c.getKVClient().put(bs("tls/jetcd-1"), bs("overwritten")).get(15, TimeUnit.SECONDS))
                    .as("another CA's certificate").isNotNull();
        }
        try (Client c = jetcd(cluster.endpoint(leader), tls.client())) {
            assertThat(c.getKVClient().get(bs("tls/jetcd-1")).get(15, TimeUnit.SECONDS).getKvs().get(0)
                    .getValue().toString(StandardCharsets.UTF_8)).isEqualTo("v1");
        }
        System.out.println("EtcdTlsTest: jetcd with the application's certificate wrote through all 3 members (leader "
                + leader + "); without a certificate and with another CA's refused; nothing overwritten");
    }

    @Test
    void aRenewedMemberCertificateIsServedWithoutARestart() throws Exception {
        long id = 2;
        long pid = cluster.cluster.node(id).process().pid();
        String host = cluster.cluster.node(id).host();
        var renewed = tls.ca().issue("node-" + id, List.of(), List.of(host),
                List.of(CertIdentity.memberUri(cluster.cluster.clusterId(), "node-" + id)),
                Instant.now().minusSeconds(30), Duration.ofDays(3));
        tls.ca().writeDirectory(tls.member(id), renewed);
        URI endpoint = URI.create(cluster.endpoint(id));
        await("the etcd port presents the renewed certificate").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> renewed.certificate().equals(servedCertificate(endpoint)));
        try (Client c = jetcd(endpoint.toString(), tls.client())) {
            c.getKVClient().put(bs("tls/renewed"), bs("r")).get(15, TimeUnit.SECONDS);
        }
        assertThat(cluster.cluster.node(id).process().pid()).as("no restart").isEqualTo(pid);
        System.out.println("EtcdTlsTest: node-" + id + "'s etcd port serves the renewed certificate (serial "
                + renewed.certificate().getSerialNumber() + ") without a restart");
    }

    /** The certificate the etcd port presents to a TLS client that offers h2, as gRPC clients do. */
    private X509Certificate servedCertificate(URI endpoint) throws Exception {
        var context = ReloadingTls.open(tls.client()).context();
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 2000);
            var params = s.getSSLParameters();
            params.setApplicationProtocols(new String[]{"h2"});
            s.setSSLParameters(params);
            s.setSoTimeout(2000);
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        } catch (IOException e) {
            return null;
        }
    }
}
