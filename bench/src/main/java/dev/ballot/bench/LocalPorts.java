package dev.ballot.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Distinct free TCP ports on 127.0.0.1 (free when asked; the servers bind them moments later). */
final class LocalPorts {
    private LocalPorts() {
    }

    static int[] free(int count) throws IOException {
        Set<Integer> seen = new HashSet<>();
        int[] out = new int[count];
        int found = 0;
        while (found < count) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                if (seen.add(s.getLocalPort())) {
                    out[found++] = s.getLocalPort();
                }
            }
        }
        return out;
    }
}
