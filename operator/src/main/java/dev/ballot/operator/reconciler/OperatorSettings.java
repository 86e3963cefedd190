package dev.ballot.operator.reconciler;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;

/** The operator's own settings (application.properties or env, e.g. BALLOT_MEMBER_URL_TEMPLATE). */
@ConfigMapping(prefix = "ballot")
public interface OperatorSettings {
    /**
     * Base URL of a member's HTTP API. Placeholders: {pod}, {cluster}, {namespace}, {ordinal}, {id}, {host}.
     * Tests and local e2e point it at loopback; names resolve through the JVM, so -Djdk.net.hosts.file works.
     */
    @WithName("member-url-template")
    @WithDefault("http://{pod}.{cluster}-peers.{namespace}.svc:8080")
    String memberUrlTemplate();

    /** How often a member without a live event stream is polled, and how often streams are re-opened. */
    @WithName("member-poll-interval")
    @WithDefault("1s")
    Duration memberPollInterval();

    /** Connect and request timeout of every call to a member. */
    @WithName("member-request-timeout")
    @WithDefault("1s")
    Duration memberRequestTimeout();

    /** A stream silent this long is dropped and re-opened (members send a heartbeat event at least every 5 s). */
    @WithName("member-stream-stale-after")
    @WithDefault("12s")
    Duration memberStreamStaleAfter();

    /** Periodic status refresh (lag, lastContact) even when no event arrives. */
    @WithName("status-refresh-interval")
    @WithDefault("30s")
    Duration statusRefreshInterval();

    /**
     * TLS for clusters whose spec omits {@code spec.tls} (docs/operator.md, TLS). True for new installations; the
     * operator's tests and the e2e journey (whose fake members and clients speak plain HTTP) set it false.
     */
    @WithName("tls.default-enabled")
    @WithDefault("true")
    boolean tlsDefaultEnabled();

    /**
     * With {@code spec.tls.certificates: Provided}: how often valid certificate Secrets are read again, so that a
     * renewal by cert-manager reaches the members (docs/operator.md, Certificates from cert-manager).
     */
    @WithName("tls.provided-recheck-interval")
    @WithDefault("30s")
    Duration providedCertificatesRecheck();

    /** When false the operator only reports the next rollout step and never deletes a pod or moves leadership. */
    @WithName("rollout.execute")
    @WithDefault("true")
    boolean rolloutExecute();
}
