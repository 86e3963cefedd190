package dev.ballot.node.etcd;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.util.concurrent.atomic.AtomicInteger;

/** Prints {@code client=<name> pass=N fail=M} after a real client's test class, as issue 13 asks. */
public final class ClientTally implements TestWatcher, AfterAllCallback {
    private final AtomicInteger pass = new AtomicInteger();
    private final AtomicInteger fail = new AtomicInteger();

    @Override
    public void testSuccessful(ExtensionContext context) {
        pass.incrementAndGet();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        fail.incrementAndGet();
        System.out.println("client=" + client(context) + " FAILED " + context.getDisplayName() + ": " + cause);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        System.out.println("client=" + client(context) + " pass=" + pass.get() + " fail=" + fail.get());
    }

    private static String client(ExtensionContext context) {
        String name = context.getRequiredTestClass().getSimpleName();
        return switch (name) {
            case "JetcdTest", "JetcdFailoverTest" -> "jetcd-0.8.5";
            case "EtcdctlTest" -> "etcdctl";
            case "EtcdTlsTest" -> "etcdctl+jetcd-0.8.5-tls";
            default -> name;
        };
    }
}
