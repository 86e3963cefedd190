package dev.ballot.operator.certs;

import dev.ballot.nodeapi.tls.CertIdentity;
import dev.ballot.operator.desired.MemberEndpoint;
import dev.ballot.operator.desired.Names;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The certificates a cluster needs and the names each must carry (docs/node-api.md, TLS and identities). Pure.
 * A member's: its stable DNS names (the headless Service's, which peers and the operator dial) and the client
 * Service's (which applications dial), and its URI name; the operator's: {@value CertIdentity#OPERATOR_URI}; a
 * client's: a URI naming the client, so that it is neither a member nor the operator.
 */
public final class WantedCertificates {
    public static final String DNS = "DNS:";
    public static final String URI = "URI:";

    private WantedCertificates() {
    }

    public static Map<String, Set<String>> of(String cluster, String namespace, List<MemberEndpoint> members,
                                              List<String> clients) {
        Map<String, Set<String>> wanted = new LinkedHashMap<>();
        String clientService = Names.clientService(cluster) + "." + namespace + ".svc";
        for (MemberEndpoint m : members) {
            Set<String> names = new LinkedHashSet<>();
            names.add(DNS + m.host());
            names.add(DNS + m.host() + ".cluster.local");
            names.add(DNS + clientService);
            names.add(DNS + clientService + ".cluster.local");
            names.add(URI + CertIdentity.memberUri(cluster, m.name()));
            wanted.put("member/" + m.name(), names);
        }
        wanted.put("operator", Set.of(URI + CertIdentity.OPERATOR_URI));
        for (String c : clients) {
            wanted.put("client/" + c, Set.of(URI + "ballot://" + cluster + "/clients/" + c));
        }
        return wanted;
    }
}
