package dev.ballot.operator.reconciler;

import dev.ballot.nodeapi.tls.CertificateAuthority;
import dev.ballot.nodeapi.tls.Fingerprints;
import dev.ballot.operator.certs.CaRotationPlanner.Step;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The CA Secret as a value: what a rotation needs to resume after an operator restart is read back from it. */
class ClusterCaTest {
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private static final CertificateAuthority OLD = CertificateAuthority.create("old", NOW, Duration.ofDays(1095));
    private static final CertificateAuthority NEW = CertificateAuthority.create("new", NOW, Duration.ofDays(1095));

    private static Secret secret(Map<String, String> data) {
        Map<String, String> encoded = new LinkedHashMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder().withNewMetadata().withName("ec-ca").endMetadata().withData(encoded).build();
    }

    @Test
    void everyStepReadsBackAsWritten() {
        ClusterCa trusting = new ClusterCa(OLD, NEW, null, Step.TRUSTING, "leak-é", "earlier");
        ClusterCa read = ClusterCa.read(secret(trusting.data()));
        assertThat(read.step()).isEqualTo(Step.TRUSTING);
        assertThat(read.serving()).as("any annotation value, UTF-8").isEqualTo("leak-é");
        assertThat(read.done()).isEqualTo("earlier");
        assertThat(read.state().next()).isEqualTo(Fingerprints.sha256(NEW.certificate()));
        assertThat(read.trusted(NOW)).containsExactly(OLD.certificate(), NEW.certificate());

        ClusterCa dropping = new ClusterCa(NEW, null, OLD.certificate(), Step.DROPPING, "leak-1", null);
        ClusterCa back = ClusterCa.read(secret(dropping.data()));
        assertThat(back.state().previous()).isEqualTo(Fingerprints.sha256(OLD.certificate()));
        assertThat(back.trusted(NOW)).as("the previous CA is out of every bundle while dropping")
                .containsExactly(NEW.certificate());
        assertThat(new ClusterCa(NEW, null, OLD.certificate(), null, null, "leak-1").trusted(NOW))
                .as("a scheduled renewal keeps it").containsExactly(NEW.certificate(), OLD.certificate());
        assertThat(new ClusterCa(NEW, null, OLD.certificate(), null, null, null).trusted(NOW.plus(Duration.ofDays(1096))))
                .as("until it expires").containsExactly(NEW.certificate());
    }

    @Test
    void aTrustingStepWhoseNextCaCannotBeReadStartsOverAndItsRequestIsTakenUpAgain() {
        Map<String, String> data = new LinkedHashMap<>(new ClusterCa(OLD, NEW, null, Step.TRUSTING, "leak-1", null).data());
        data.put(ClusterCa.NEXT_KEY, "not a key");
        ClusterCa read = ClusterCa.read(secret(data));
        assertThat(read.step()).isNull();
        assertThat(read.next()).isNull();
        assertThat(read.serving()).as("so that the annotation's request is pending again").isNull();
    }
}
