package dev.ballot.node.tls;

import dev.ballot.node.config.TlsSettings;
import dev.ballot.node.server.MemberDirectory;
import dev.ballot.nodeapi.tls.CertIdentity;
import dev.ballot.nodeapi.tls.ReloadingTls;
import dev.ballot.nodeapi.tls.TlsException;

import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * One node's TLS: its certificate directory (reloaded on change), whether HTTP clients must present a certificate,
 * and who a peer certificate may speak for (docs/node-api.md, TLS and identities).
 */
public final class NodeTls {
    private final ReloadingTls files;
    private final TlsSettings.ClientAuth clientAuth;
    private final String clusterId;

    public NodeTls(ReloadingTls files, TlsSettings.ClientAuth clientAuth, String clusterId) {
        this.files = files;
        this.clientAuth = clientAuth;
        this.clusterId = clusterId;
    }

    /** @param member this node's name: {@code <member>.crt}/{@code .key} in the directory are preferred when present */
    public static NodeTls open(TlsSettings settings, String clusterId, String member) throws TlsException {
        return new NodeTls(ReloadingTls.open(settings.dir(), member), settings.clientAuth(), clusterId);
    }

    /** This node's TLS context for calling other members' APIs; null when TLS is off or its files are unusable (start reports why). */
    public static javax.net.ssl.SSLContext contextOrNull(dev.ballot.node.config.NodeConfig config) {
        if (config.tls() == null) {
            return null;
        }
        try {
            return ReloadingTls.open(config.tls().dir(), config.nodeName()).context();
        } catch (TlsException e) {
            return null;
        }
    }

    public ReloadingTls files() {
        return files;
    }

    public boolean clientCertificateRequired() {
        return clientAuth == TlsSettings.ClientAuth.REQUIRED;
    }

    public String clusterId() {
        return clusterId;
    }

    /**
     * Null when {@code cert} names member {@code memberId} as {@code directory} knows it; otherwise why not. A member
     * the directory does not know yet (added a moment ago) is accepted by its URI name when the naming convention maps
     * that name to the id ({@link MemberDirectory#idForNewName}).
     */
    public String memberMismatch(MemberDirectory directory, long memberId, X509Certificate cert) {
        Optional<MemberDirectory.Entry> entry = directory.byId(memberId);
        if (entry.isPresent()) {
            MemberDirectory.Entry e = entry.get();
            return CertIdentity.memberMismatch(cert, clusterId, e.name(), MemberDirectory.hostOfAddress(e.peerAddress()));
        }
        String prefix = CertIdentity.memberUri(clusterId, "");
        for (String uri : CertIdentity.uris(cert)) {
            if (uri.startsWith(prefix) && MemberDirectory.idForNewName(uri.substring(prefix.length()))
                    .filter(id -> id == memberId).isPresent()) {
                return null;
            }
        }
        return "member " + memberId + " is not in this node's configuration and its certificate ("
                + CertIdentity.describe(cert) + ") names no member of that id";
    }

    /** True when {@code cert} names any member of this cluster that {@code directory} knows. */
    public boolean isMember(MemberDirectory directory, X509Certificate cert) {
        for (long id : directory.ids()) {
            if (memberMismatch(directory, id, cert) == null) {
                return true;
            }
        }
        return false;
    }
}
