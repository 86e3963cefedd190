package dev.ballot.nodeapi.tls;

import javax.net.ssl.SSLParameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The order in which a Ballot node, as a TLS server, picks a cipher suite: ChaCha20-Poly1305 before AES-GCM, among the
 * suites the JDK enables by default (nothing is added or removed, so every client that connected before still does).
 *
 * <p>Why: a member runs with C1 only ({@code -XX:TieredStopAtLevel=1}, the node image's flags), and C1 has no AES or
 * GHASH intrinsics, so AES-GCM runs as plain Java. Measured on this machine (docs/bench.md, TLS): one 600-byte record
 * sealed and opened took 119-146 us with AES-128-GCM and 36 us with ChaCha20-Poly1305 under C1; with C2 (a client's
 * JVM) AES-GCM is the cheaper one, but a member encrypts every request, answer and peer message it handles.
 */
public final class CipherPreference {
    /** The ChaCha20-Poly1305 suites of TLS 1.3 and 1.2, most preferred first. */
    public static final List<String> PREFERRED = List.of(
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private CipherPreference() {
    }

    /** {@code enabled} with the {@link #PREFERRED} suites it contains moved to the front, the rest in their order. */
    public static String[] order(String[] enabled) {
        List<String> in = Arrays.asList(enabled);
        List<String> out = new ArrayList<>();
        for (String s : PREFERRED) {
            if (in.contains(s)) {
                out.add(s);
            }
        }
        for (String s : enabled) {
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out.toArray(String[]::new);
    }

    /** Orders {@code p}'s suites ({@link #order}) and makes a server choose by that order, not by the client's. */
    public static SSLParameters apply(SSLParameters p) {
        p.setCipherSuites(order(p.getCipherSuites()));
        p.setUseCipherSuitesOrder(true);
        return p;
    }
}
