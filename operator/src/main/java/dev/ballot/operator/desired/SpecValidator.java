package dev.ballot.operator.desired;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.ConsensusProtocol;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The operator's own check of a spec: the CRD's CEL rules again (an API server without CEL, or a CRD installed
 * without them, must not lead to broken pods) plus what CEL cannot express. Each problem names the field and the fix.
 */
public final class SpecValidator {
    private static final Pattern DNS_1035 = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
    private static final Pattern QUANTITY = Pattern.compile("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$");

    /** spec.tls.certificates is Provided: the user's Secrets, not the operator's CA. */
    public static boolean providedCertificates(ElectionClusterSpec spec) {
        return spec.tls != null && spec.tls.certificates == dev.ballot.operator.api.TlsSpec.Certificates.Provided;
    }

    private SpecValidator() {
    }

    /**
     * Problems that stop the operator; empty when the spec can be applied. {@code effective}: the spec with its
     * defaults, built once per reconcile (see Observed); null without a spec.
     */
    private static final java.util.regex.Pattern CLIENT_NAME = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?");

    public static List<String> problems(String name, ElectionClusterSpec spec, EffectiveSpec effective) {
        List<String> problems = new ArrayList<>();
        if (name == null || name.length() > ElectionCluster.MAX_NAME_LENGTH) {
            problems.add("metadata.name must be at most " + ElectionCluster.MAX_NAME_LENGTH
                    + " characters so pod names fit 63: choose a shorter name");
        } else if (!DNS_1035.matcher(name).matches()) {
            problems.add("metadata.name must be a DNS-1035 label (lower-case letters, digits and '-', starting with"
                    + " a letter): rename the cluster");
        }
        if (spec == null) {
            problems.add("spec is missing: set at least spec.protocol (Raft or Zab)");
            return problems;
        }
        if (spec.protocol == null) {
            problems.add("spec.protocol is missing: set it to Raft or Zab");
            return problems;
        }
        EffectiveSpec s = effective;
        if (s.voters() < 1) {
            problems.add("spec.replicas must be at least 1 (it is " + s.voters() + "): set it to 1, 3 or 5 voters");
        }
        for (String c : s.clients()) {
            // Here, not as a CEL rule: a rule over an unbounded list exceeds the API server's cost budget.
            if (c == null || !CLIENT_NAME.matcher(c).matches()) {
                problems.add("spec.clients entry '" + c + "' must be a DNS label of at most 42 characters (a-z, 0-9,"
                        + " '-'): rename it (it names the Secret <name>-client-<entry>)");
            }
        }
        if (s.clients().size() != new java.util.HashSet<>(s.clients()).size()) {
            problems.add("spec.clients lists a name twice: list each client once");
        }
        if (!s.clients().isEmpty() && !s.tls()) {
            problems.add("spec.clients needs TLS: set spec.tls.enabled to true, or remove spec.clients");
        }
        if (!s.clients().isEmpty() && providedCertificates(spec)) {
            problems.add("spec.clients needs the operator's certificates, but spec.tls.certificates is Provided (the"
                    + " operator holds no CA key to issue them): issue client certificates from your own issuer"
                    + " (cert-manager), and remove spec.clients");
        }
        if (spec.keyspaceQuota != null) {
            Long quota = s.keyspaceQuotaBytes();
            if (s.protocol() != ConsensusProtocol.Raft) {
                problems.add("spec.keyspaceQuota is for Raft only (the HTTP key-value store's quota): remove it");
            } else if (quota == null || quota < 1024 || quota > Integer.MAX_VALUE) {
                problems.add("spec.keyspaceQuota '" + spec.keyspaceQuota + "' must be a size from 1Ki to 2047Mi"
                        + " (e.g. 64Mi): fix it, or remove it for no quota");
            }
        }
        if (s.learners() < 0 || s.observers() < 0) {
            problems.add("spec.learners and spec.observers cannot be negative: set them to 0 or more");
        }
        if (s.protocol() != ConsensusProtocol.Raft && s.learners() > 0) {
            problems.add("spec.learners is for Raft only: set spec.learners to 0, or use spec.observers with Zab");
        }
        if (s.protocol() != ConsensusProtocol.Zab && s.observers() > 0) {
            problems.add("spec.observers is for Zab only: set spec.observers to 0, or use spec.learners with Raft");
        }
        if (s.protocol() == ConsensusProtocol.Raft) {
            checkRaftTiming(s, problems);
        } else {
            if (s.tickTime() < 10 || s.tickTime() > 60000) {
                problems.add("spec.zab.tickTime (" + s.tickTime() + ") must be 10-60000 milliseconds: use"
                        + " ZooKeeper's 2000");
            }
            if (s.initLimit() < 1 || s.initLimit() > 10000 || s.syncLimit() < 1 || s.syncLimit() > 10000) {
                problems.add("spec.zab.initLimit and spec.zab.syncLimit must be 1-10000 ticks: use ZooKeeper's"
                        + " 10 and 5");
            }
        }
        checkMemoryLimit(spec.resources, problems);
        if (!QUANTITY.matcher(s.storageSize()).matches()) {
            problems.add("spec.storage.size '" + s.storageSize() + "' is not a quantity: write it like 1Gi");
        }
        int lastOrdinal = Math.max(0, s.pods() - 1);
        if (name != null && Names.pod(name, lastOrdinal).length() > 63) {
            problems.add("metadata.name is too long for pod " + Names.pod(name, lastOrdinal)
                    + " to fit 63 characters: choose a shorter name");
        }
        return problems;
    }

    /**
     * Warnings that do not stop the operator; CEL cannot warn, so they become events and condition messages.
     * {@code s}: the spec with its defaults, null without a spec.
     */
    public static List<String> warnings(EffectiveSpec s) {
        List<String> warnings = new ArrayList<>();
        if (s == null || s.protocol() == null) {
            return warnings;
        }
        if (s.voters() >= 2 && s.voters() % 2 == 0) {
            warnings.add("spec.replicas is even (" + s.voters() + "): it tolerates no more failures than "
                    + (s.voters() - 1) + " voters and needs a larger majority; use an odd count such as "
                    + (s.voters() + 1));
        }
        memoryLimitBytes(s.resources()).filter(b -> b >= MIN_MEMORY_LIMIT && b < SMALL_MEMORY_LIMIT).ifPresent(b ->
                warnings.add("spec.resources.limits.memory (" + memoryLimit(s.resources()) + ") is below"
                        + " 128Mi: a member holds about 100-130 MiB after a load (docs/bench.md, \"Memory\") and"
                        + " would be OOM-killed; set at least 160Mi, or remove spec.resources for the measured"
                        + " defaults (160Mi requested, 320Mi limit)"));
        return warnings;
    }

    /**
     * Below this a member cannot start: the node image's heap starts at 32 MiB and may use 75 % of the limit (its
     * {@code -Xms32m} and {@code MaxRAMPercentage=75}), so under 43 MiB the JVM refuses its own flags, and just
     * above it a member runs out at once.
     */
    static final long MIN_MEMORY_LIMIT = 64L << 20;
    /** Below this a member that starts is killed for its memory under a load (a warning). */
    static final long SMALL_MEMORY_LIMIT = 128L << 20;

    private static void checkMemoryLimit(io.fabric8.kubernetes.api.model.ResourceRequirements resources,
                                         List<String> problems) {
        Quantity limit = memoryLimit(resources);
        if (limit == null) {
            return;
        }
        Optional<Long> bytes = memoryLimitBytes(resources);
        if (bytes.isEmpty()) {
            problems.add("spec.resources.limits.memory '" + limit + "' is not a quantity: write it like 320Mi");
        } else if (bytes.get() < MIN_MEMORY_LIMIT) {
            problems.add("spec.resources.limits.memory (" + limit + ") is below 64Mi: a member's JVM starts its heap"
                    + " at 32 MiB within 75 % of the limit and holds about 100 MiB after a load: set at least 160Mi,"
                    + " or remove spec.resources for the measured defaults (160Mi requested, 320Mi limit)");
        }
    }

    private static Quantity memoryLimit(io.fabric8.kubernetes.api.model.ResourceRequirements resources) {
        return resources == null || resources.getLimits() == null ? null : resources.getLimits().get("memory");
    }

    private static Optional<Long> memoryLimitBytes(io.fabric8.kubernetes.api.model.ResourceRequirements resources) {
        Quantity limit = memoryLimit(resources);
        return limit == null ? Optional.empty() : Optional.ofNullable(EffectiveSpec.bytes(limit));
    }

    /** Whether a storage size edit shrinks the volumes (API servers without CEL transition rules let it through). */
    public static boolean shrinks(String oldSize, String newSize) {
        try {
            return Quantity.getAmountInBytes(new Quantity(newSize))
                    .compareTo(Quantity.getAmountInBytes(new Quantity(oldSize))) < 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void checkRaftTiming(EffectiveSpec s, List<String> problems) {
        Optional<Duration> min = durationOf("spec.raft.electionTimeoutMin", s.electionTimeoutMin(), problems);
        Optional<Duration> max = durationOf("spec.raft.electionTimeoutMax", s.electionTimeoutMax(), problems);
        Optional<Duration> hb = durationOf("spec.raft.heartbeatInterval", s.heartbeatInterval(), problems);
        Duration tick = Duration.ofMillis(10);
        if (min.isPresent() && max.isPresent() && min.get().plus(tick).compareTo(max.get()) > 0) {
            problems.add("spec.raft.electionTimeoutMin (" + s.electionTimeoutMin()
                    + ") must be at least 10ms (one tick) below spec.raft.electionTimeoutMax ("
                    + s.electionTimeoutMax() + ") so timeouts can be randomized: raise the max"
                    + " (e.g. min 150ms, max 300ms)");
        }
        if (min.isPresent() && hb.isPresent() && hb.get().multipliedBy(3).compareTo(min.get()) > 0) {
            problems.add("spec.raft.heartbeatInterval (" + s.heartbeatInterval()
                    + ") must be at most a third of spec.raft.electionTimeoutMin (" + s.electionTimeoutMin()
                    + ") so followers hear the leader before they time out: lower the heartbeat");
        }
        if (hb.isPresent() && hb.get().compareTo(tick) < 0) {
            problems.add("spec.raft.heartbeatInterval (" + s.heartbeatInterval()
                    + ") must be at least 10ms, the node's tick: raise it");
        }
        if (max.isPresent() && max.get().compareTo(Duration.ofSeconds(60)) > 0) {
            problems.add("spec.raft.electionTimeoutMax (" + s.electionTimeoutMax() + ") must be at most 60s: lower it");
        }
    }

    private static Optional<Duration> durationOf(String field, String text, List<String> problems) {
        Optional<Duration> d = GoDurations.parse(text);
        if (d.isEmpty()) {
            problems.add(field + " '" + text + "' is not a duration: write it like 150ms or 1s");
        }
        return d;
    }
}
