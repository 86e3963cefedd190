package dev.ballot.operator.members;

import dev.ballot.nodeapi.NodeClient;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.desired.MemberEndpoint;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Watches every member of every tracked cluster over HTTP and triggers a reconcile of a cluster as soon as one of
 * its members reports a different role, term, leader or membership, or stops answering. The reconciler reads the
 * latest observations with {@link #observations}; nothing here ever blocks or fails a reconcile.
 */
public class MemberStatusEventSource extends AbstractEventSource<Void, ElectionCluster>
        implements ResourceEventAware<ElectionCluster> {
    public static final String NAME = "member-status";
    private static final Logger LOG = Logger.getLogger(MemberStatusEventSource.class);

    private final MemberWatchSettings settings;
    private final Map<ResourceID, Map<String, MemberLink>> links = new ConcurrentHashMap<>();
    private final Map<ResourceID, Map<String, MemberObservation>> latest = new ConcurrentHashMap<>();
    /** Per cluster: System.nanoTime() of the last member report that changed the cluster's story. */
    private final Map<ResourceID, Long> lastChange = new ConcurrentHashMap<>();
    /** When this process began watching each tracked cluster's members. */
    private final Map<ResourceID, Instant> watchedSince = new ConcurrentHashMap<>();
    /**
     * UIDs of recently deleted clusters, with when the deletion was seen: a reconcile that began before the
     * deletion must not reopen their links. Such a reconcile ends within seconds, so a UID is forgotten after
     * {@link #REMEMBER_DELETION}; otherwise the set would grow with every cluster ever deleted.
     */
    private final Map<String, Long> deletedUids = new ConcurrentHashMap<>();
    static final Duration REMEMBER_DELETION = Duration.ofMinutes(10);
    private final NodeClient nodes;
    private ScheduledExecutorService ticker;

    /** @param nodes the operator's one client for the node API (its per-call deadline is a poll's) */
    public MemberStatusEventSource(MemberWatchSettings settings, NodeClient nodes) {
        super(Void.class, NAME);
        this.settings = settings;
        this.nodes = nodes;
    }

    @Override
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(daemon("ballot-member-ticker"));
        long period = settings.pollInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::tickAll, 0, Math.max(50, period), TimeUnit.MILLISECONDS);
        super.start();
    }

    @Override
    public synchronized void stop() {
        super.stop();
        links.values().forEach(m -> m.values().forEach(MemberLink::close));
        links.clear();
        watchedSince.clear();
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }

    /**
     * Makes the set of watched members of {@code cluster} equal to {@code members}: opens links to new members,
     * closes links to members that left. Cheap when nothing changed; safe to call on every reconcile.
     * A cluster whose deletion was already seen (by {@code uid}) stays untracked.
     */
    public void track(ResourceID cluster, String uid, List<MemberEndpoint> members) {
        track(cluster, uid, members, false);
    }

    /** As {@link #track(ResourceID, String, List)}; {@code tls}: the members serve HTTPS. */
    public void track(ResourceID cluster, String uid, List<MemberEndpoint> members, boolean tls) {
        if (uid != null && deletedUids.containsKey(uid)) {
            return;
        }
        String namespace = cluster.getNamespace().orElse("default");
        watchedSince.putIfAbsent(cluster, Instant.now());
        Map<String, MemberLink> current = links.computeIfAbsent(cluster, k -> new ConcurrentHashMap<>());
        Map<String, URI> wanted = new HashMap<>();
        for (MemberEndpoint m : members) {
            wanted.put(m.name(), MemberUrls.withTls(MemberUrls.base(settings.urlTemplate(), cluster.getName(), namespace, m),
                    tls));
        }
        current.entrySet().removeIf(e -> {
            URI uri = wanted.get(e.getKey());
            if (uri == null || !uri.equals(e.getValue().base())) {
                e.getValue().close();
                Map<String, MemberObservation> obs = latest.get(cluster);
                if (obs != null) {
                    obs.remove(e.getKey());
                }
                return true;
            }
            return false;
        });
        wanted.forEach((name, uri) -> current.computeIfAbsent(name, n -> {
            MemberLink link = new MemberLink(n, nodes.at(uri).withTimeout(settings.requestTimeout()),
                    nodes.at(uri).withTimeout(settings.firstContactTimeout()), settings.staleStreamAfter(),
                    obs -> record(cluster, obs));
            if (ticker != null && !ticker.isShutdown()) {
                ticker.execute(() -> link.tick(System.nanoTime()));
            }
            return link;
        }));
    }

    /** The latest observation of each watched member of {@code cluster}, by member name. */
    public Map<String, MemberObservation> observations(ResourceID cluster) {
        Map<String, MemberObservation> obs = latest.get(cluster);
        return obs == null ? Map.of() : Map.copyOf(obs);
    }

    /**
     * When this process began watching the members of {@code cluster}, or null when it does not watch them yet: until
     * a member first answers, the operator has not heard from it, which says nothing about its health.
     */
    public Instant watchedSince(ResourceID cluster) {
        return watchedSince.get(cluster);
    }

    /** Stops watching a cluster. */
    public void forget(ResourceID cluster) {
        watchedSince.remove(cluster);
        Map<String, MemberLink> removed = links.remove(cluster);
        if (removed != null) {
            removed.values().forEach(MemberLink::close);
        }
        latest.remove(cluster);
        lastChange.remove(cluster);
    }

    /** System.nanoTime() when a member of {@code cluster} last reported a change of its story; 0 when none did. */
    public long lastChangeNanos(ResourceID cluster) {
        return lastChange.getOrDefault(cluster, 0L);
    }

    public Set<ResourceID> trackedClusters() {
        return Set.copyOf(links.keySet());
    }

    /** Observations are read through {@link #observations}, not as secondary resources. */
    @Override
    public Set<Void> getSecondaryResources(ElectionCluster primary) {
        return Set.of();
    }

    @Override
    public void onResourceDeleted(ElectionCluster resource) {
        String uid = resource.getMetadata().getUid();
        if (uid != null) {
            long now = System.nanoTime();
            deletedUids.values().removeIf(seen -> now - seen > REMEMBER_DELETION.toNanos());
            deletedUids.put(uid, now);
        }
        forget(ResourceID.fromResource(resource));
    }

    private void record(ResourceID cluster, MemberObservation observation) {
        Map<String, MemberLink> clusterLinks = links.get(cluster);
        if (clusterLinks == null || !clusterLinks.containsKey(observation.name())) {
            return;
        }
        Map<String, MemberObservation> obs = latest.computeIfAbsent(cluster, k -> new ConcurrentHashMap<>());
        MemberObservation previous = obs.put(observation.name(), observation);
        if (previous == null || !Objects.equals(previous.significantPart(), observation.significantPart())) {
            if (leadsInNewTerm(previous, observation)) {
                // A leader change is rare and is what a user checks the status for: INFO, so that the log shows when
                // the operator heard of it (the reconcile lines that follow say when the status was written).
                LOG.infof("member %s of %s/%s reports it leads in term %d (since %s)", observation.name(),
                        cluster.getNamespace().orElse(""), cluster.getName(), observation.status().term(),
                        observation.status().leaderSince());
            } else {
                LOG.debugf("member %s of %s changed: %s", observation.name(), cluster, observation.significantPart());
            }
            lastChange.put(cluster, System.nanoTime());
            if (isRunning() && getEventHandler() != null) {
                getEventHandler().handleEvent(new Event(cluster));
            }
        }
    }

    /** The member now says it leads and serves, and did not say so in this term before. */
    static boolean leadsInNewTerm(MemberObservation previous, MemberObservation now) {
        if (!serves(now)) {
            return false;
        }
        return previous == null || !serves(previous) || !Objects.equals(previous.status().term(), now.status().term());
    }

    private static boolean serves(MemberObservation o) {
        return o != null && o.isReachable() && o.status().serves();
    }

    private void tickAll() {
        long now = System.nanoTime();
        for (Map<String, MemberLink> clusterLinks : links.values()) {
            for (MemberLink link : clusterLinks.values()) {
                try {
                    link.tick(now);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "member link %s failed to tick", link);
                }
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        var counter = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Durations as used by the watcher, from the operator's configuration. */
    public record MemberWatchSettings(String urlTemplate, Duration pollInterval, Duration requestTimeout,
                                      Duration staleStreamAfter) {
        /**
         * The deadline of polls until a member first answers: at least {@link #FIRST_CONTACT_TIMEOUT}, so a cold
         * operator's first TLS handshake (measured over 1 s on a loaded 2-core machine) completes instead of being
         * cut off and started again.
         */
        public Duration firstContactTimeout() {
            return requestTimeout.compareTo(FIRST_CONTACT_TIMEOUT) > 0 ? requestTimeout : FIRST_CONTACT_TIMEOUT;
        }
    }

    /** See {@link MemberWatchSettings#firstContactTimeout()}; well inside the not-heard-from grace (10 s). */
    static final Duration FIRST_CONTACT_TIMEOUT = Duration.ofSeconds(4);
}
