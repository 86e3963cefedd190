package dev.ballot.node.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Every key ZooKeeper 3.9's administrator's guide documents for a static config file, so a production zoo.cfg
 * is accepted: the keys Ballot reads are in {@link ZabPropertiesParser#KEYS}; every other documented key is
 * warned about and ignored; only a key ZooKeeper itself does not know is refused.
 */
final class ZooKeeperKeys {
    private static final List<String> SSL_SUFFIXES = List.of("keyStore.location", "keyStore.password",
            "keyStore.passwordPath", "keyStore.type", "trustStore.location", "trustStore.password",
            "trustStore.passwordPath", "trustStore.type", "protocol", "enabledProtocols", "ciphersuites",
            "context.supplier.class", "hostnameVerification", "crl", "ocsp", "clientAuth",
            "handshakeDetectionTimeoutMillis", "sslProvider", "clientHostnameVerification");

    /** Documented keys that mean nothing to Ballot: accepted with a warning. */
    static final Set<String> IGNORED = ignored();

    /** Keys with a number or name in them: {@code group.1}, {@code weight.2}, {@code authProvider.sasl}. */
    private static final Pattern IGNORED_PATTERNS = Pattern.compile("(group|weight)\\.\\d+|authProvider\\.[\\w.-]+");

    private ZooKeeperKeys() {
    }

    static boolean ignored(String key) {
        return IGNORED.contains(key) || IGNORED_PATTERNS.matcher(key).matches();
    }

    private static Set<String> ignored() {
        Set<String> keys = new TreeSet<>(List.of(
                // storage: Ballot's data directory holds log and snapshots together, with its own retention
                "dataLogDir", "globalOutstandingLimit", "preAllocSize", "snapCount", "commitLogCount",
                "snapSizeLimitInKb", "txnLogSizeLimitInKb", "autopurge.snapRetainCount", "autopurge.purgeInterval",
                "syncEnabled", "forceSync", "fsync.warningthresholdms", "snapshot.trust.empty",
                "snapshot.compression.method", "digest.enabled", "txnLogFactory", "serverCnxnFactory",
                // client side knobs of ZooKeeper's own server
                "maxCnxns", "maxResponseCacheSize", "maxGetChildrenResponseCacheSize", "extendedTypesEnabled",
                "emulate353TTLNodes", "watchManagerName", "watcherCleanThreshold", "watcherCleanIntervalInSeconds",
                "watcherCleanThreadsNum", "maxInProcessingDeletedWatchers", "audit.enable", "jute.maxbuffer",
                "jute.maxbuffer.extrasize", "localSessionsEnabled", "localSessionsUpgradingEnabled",
                "clientTcpKeepAlive", "tcpKeepAlive", "skipACL", "enforceQuota", "closeSessionTxn.enabled",
                "connection_throttle_tokens", "connection_throttle_fill_time", "connection_throttle_fill_count",
                "connection_throttle_freeze_time", "connection_throttle_drop_increase",
                "connection_throttle_drop_decrease", "connection_throttle_decrease_ratio",
                "connection_throttle_weight_enabled", "connection_throttle_global_session_weight",
                "connection_throttle_local_session_weight", "connection_throttle_renew_session_weight",
                "clientPortListenBacklog", "learner.asyncSending", "learner.closeSocketAsync",
                "leader.closeSocketAsync", "requestThrottleLimit", "requestThrottleStallTime",
                "requestThrottleDropStale", "requestStaleLatencyCheck", "requestStaleConnectionCheck",
                "zookeeper.request_throttler.shutdownTimeout", "throttledOpWaitTime", "largeRequestMaxBytes",
                "largeRequestThreshold", "outstandingHandshake.limit", "netty.server.outstandingHandshake.limit",
                "flushDelay", "maxWriteQueuePollTime", "maxBatchSize", "requestsInSessionQueue",
                // TLS: Ballot's own (tlsDir, tlsClientAuth; secureClientPort is served), not ZooKeeper's ssl.* keys
                "sslQuorum", "portUnification",
                "client.portUnification", "sslQuorumReloadCertFiles", "client.certReload", "ssl.authProvider",
                "ssl.quorum.authProvider", "ssl.handshakeDetectionTimeoutMillis",
                // the quorum: Ballot's own engine elects and replicates
                "electionAlg", "electionPortBindRetry", "leaderServes", "cnxTimeout", "quorumCnxnTimeoutMs",
                "standaloneEnabled", "reconfigEnabled", "quorumListenOnAllIPs", "multiAddress.enabled",
                "multiAddress.reachabilityCheckTimeoutMs", "multiAddress.reachabilityCheckEnabled",
                "connectToLearnerMasterLimit", "observer.reconnectDelayMs", "observer.election.DelayMs",
                "observerMaster.port", "peerType", "dynamicConfigFile", "minimumEpochChangeLatencyMs",
                "quorum.auth.enableSasl", "quorum.auth.learnerRequireSasl", "quorum.auth.serverRequireSasl",
                "quorum.auth.learner.saslLoginContext", "quorum.auth.server.saslLoginContext",
                "quorum.auth.kerberos.servicePrincipal", "quorum.cnxn.threads.size", "syncLimitWaitTime",
                "initLimitWaitTime", "learnerDiffSync.maxCommits",
                // admin server and four-letter words: Ballot has its HTTP API; ruok, srvr and mntr are always served
                "4lw.commands.whitelist", "admin.enableServer", "admin.serverAddress", "admin.serverPort",
                "admin.idleTimeout", "admin.commandURL", "admin.portUnification", "admin.forceHttps",
                "admin.needClientAuth", "admin.rateLimiterIntervalInMs", "admin.snapshot.enabled",
                "admin.restore.enabled", "admin.snapshot.intervalInMS", "admin.restore.maxRequestBytes",
                // metrics: Ballot exports Prometheus text on its HTTP API (/metrics)
                "metricsProvider.className", "metricsProvider.httpHost", "metricsProvider.httpPort",
                "metricsProvider.httpsPort", "metricsProvider.exportJvmInfo", "metricsProvider.numWorkerThreads",
                "metricsProvider.maxQueueWaitTime", "metricsProvider.workerShutdownTimeoutMs",
                "metricsProvider.ssl.keyStore.location", "metricsProvider.ssl.keyStore.password",
                "metricsProvider.ssl.keyStore.type", "metricsProvider.ssl.trustStore.location",
                "metricsProvider.ssl.trustStore.password", "metricsProvider.ssl.trustStore.type",
                // authentication and authorization
                "superUser", "DigestAuthenticationProvider.superDigest", "X509AuthenticationProvider.superUser",
                "kerberos.removeHostFromPrincipal", "kerberos.removeRealmFromPrincipal", "sessionRequireClientSASLAuth",
                "enforce.auth.enabled", "enforce.auth.schemes", "authProvider"));
        for (String suffix : SSL_SUFFIXES) {
            keys.add("ssl." + suffix);
            keys.add("ssl.quorum." + suffix);
        }
        return keys;
    }

    /** Every known key, for "did you mean". */
    static List<String> all(List<String> used) {
        List<String> all = new ArrayList<>(used);
        all.add("server.N");
        all.addAll(IGNORED);
        return all;
    }
}
