package dev.ballot.node.zookeeper;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Pass/fail counts per real client and recipe: a test's display name starts with the client's name and a colon
 * ("Curator LeaderLatch: ..."); checks inside one test may {@link #record} their own. Printed after the class.
 */
final class ClientTally implements TestWatcher, AfterAllCallback {
    private static final Map<String, int[]> COUNTS = new TreeMap<>();

    static synchronized void record(String client, boolean passed) {
        int[] c = COUNTS.computeIfAbsent(client, k -> new int[2]);
        c[passed ? 0 : 1]++;
    }

    private static String client(ExtensionContext context) {
        String name = context.getDisplayName();
        int colon = name.indexOf(':');
        return colon > 0 ? name.substring(0, colon) : name;
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        record(client(context), true);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        record(client(context), false);
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        record(client(context), false);
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        record(client(context), false);
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        StringBuilder sb = new StringBuilder("\nReal ZooKeeper clients against a 3-process Ballot ZAB cluster:\n");
        int pass = 0;
        int fail = 0;
        for (Map.Entry<String, int[]> e : COUNTS.entrySet()) {
            sb.append(String.format("  %-55s passed=%d failed=%d%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
            pass += e.getValue()[0];
            fail += e.getValue()[1];
        }
        sb.append("zookeeper-clients: ").append(pass).append(" passed, ").append(fail).append(" failed\n");
        System.out.println(sb);
    }
}
