package dev.ballot.operator.members;

import dev.ballot.operator.desired.MemberEndpoint;
import dev.ballot.operator.desired.Names;
import java.net.URI;

/**
 * Expands the member URL template. Placeholders: {pod}, {cluster}, {namespace}, {ordinal}, {id}, {host}.
 * The default reaches the member through the headless Service; tests and local e2e point it elsewhere.
 */
public final class MemberUrls {
    public static final String DEFAULT_TEMPLATE = "http://{pod}.{cluster}-peers.{namespace}.svc:8080";

    private MemberUrls() {
    }

    public static URI base(String template, String cluster, String namespace, MemberEndpoint member) {
        String url = template
                .replace("{pod}", member.name())
                .replace("{cluster}", cluster)
                .replace("{namespace}", namespace)
                .replace("{ordinal}", Integer.toString(member.id() - 1))
                .replace("{id}", Integer.toString(member.id()))
                .replace("{host}", member.host());
        return URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    }

    /** The base URL of the member whose pod is {@code pod} ({@code <cluster>-<ordinal>}, member id = ordinal + 1). */
    public static URI ofPod(String template, String cluster, String namespace, String pod) {
        int ordinal = Integer.parseInt(pod.substring(pod.lastIndexOf('-') + 1));
        return base(template, cluster, namespace,
                new MemberEndpoint(pod, ordinal + 1, true, Names.peerHost(cluster, namespace, ordinal)));
    }
}
