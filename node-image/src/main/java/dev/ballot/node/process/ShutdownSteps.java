package dev.ballot.node.process;

import java.io.PrintStream;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A stopping node's close steps, run in order, each within its own deadline, so that SIGTERM ends the process in
 * seconds whatever its peers and clients do: a pod that outlives its 30 s grace is SIGKILLed and holds up a delete or a
 * restart (docs/e2e.md, the 30 s deletes). Each step runs on its own daemon thread; one that overruns is reported,
 * interrupted (which frees a thread blocked in interruptible channel I/O) and left behind, and the next step starts.
 *
 * <p>Everything goes to stderr, not java.util.logging: the logging system resets itself in its own shutdown hook.
 * When the whole sequence is still running {@code dumpAfter} after it began, or a step overruns, it prints the step
 * it is in and every thread's stack with the locks held and awaited, once, so a CI log names what blocks.
 */
final class ShutdownSteps {
    /** One close step: what it is called in the report, how long it may take, what it does. */
    record Step(String name, Duration deadline, AutoCloseable action) {
    }

    /** How long a step that overran gets after its interrupt before the next step starts. */
    private static final long AFTER_INTERRUPT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Stack frames printed per thread: enough to see the caller of a blocked JDK method. */
    private static final int MAX_FRAMES = 40;

    private final String node;
    private final PrintStream err;
    private final Duration dumpAfter;

    /**
     * @param node      the node's name, at the start of every line
     * @param dumpAfter print the step and a thread dump when the sequence is still running this long after it began
     */
    ShutdownSteps(String node, PrintStream err, Duration dumpAfter) {
        this.node = node;
        this.err = err;
        this.dumpAfter = dumpAfter;
    }

    /**
     * Runs {@code steps} in order (null actions are skipped); returns what each took, e.g. {@code "api 12ms"} or
     * {@code "api OVERRAN 2000ms"}, for the final "stopped" line.
     */
    List<String> run(List<Step> steps) {
        long began = System.nanoTime();
        boolean dumped = false;
        List<String> took = new ArrayList<>();
        for (Step step : steps) {
            if (step.action() == null) {
                continue;
            }
            long start = System.nanoTime();
            Thread t = new Thread(() -> {
                try {
                    step.action().close();
                } catch (Exception e) {
                    err.println("ballot-node " + node + ": closing " + step.name() + " failed: " + e);
                }
            }, "ballot-shutdown-" + step.name());
            t.setDaemon(true);
            t.start();
            long deadline = start + step.deadline().toNanos();
            boolean overran = false;
            while (t.isAlive()) {
                long now = System.nanoTime();
                long dumpAt = began + dumpAfter.toNanos();
                if (!dumped && now - dumpAt >= 0) {
                    dumped = true;
                    report("still stopping " + ms(now - began) + " after it began, in step '" + step.name()
                            + "' for " + ms(now - start) + " (deadline " + step.deadline().toMillis() + " ms)");
                    continue;
                }
                if (now - deadline >= 0) {
                    overran = true;
                    String line = "close step '" + step.name() + "' did not finish within its "
                            + step.deadline().toMillis() + " ms; interrupting it and going on to the next step";
                    if (dumped) {
                        err.println("ballot-node " + node + ": " + line);
                    } else {
                        dumped = true;
                        report(line);
                    }
                    t.interrupt();
                    join(t, AFTER_INTERRUPT_NANOS);
                    break;
                }
                join(t, Math.min(deadline - now, dumped ? Long.MAX_VALUE : dumpAt - now));
            }
            took.add(step.name() + (overran ? " OVERRAN " : " ") + ms(System.nanoTime() - start));
        }
        return took;
    }

    private static void join(Thread t, long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedJoin(t, Math.max(1, nanos));
        } catch (InterruptedException e) {
            // The hook is not interrupted by the JVM; if someone does, the deadlines still bound the wait.
            Thread.currentThread().interrupt();
        }
    }

    private void report(String line) {
        err.println("ballot-node " + node + ": " + line + "; the JVM's threads:\n" + threadDump());
        err.flush();
    }

    private static String ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos) + "ms";
    }

    /** Every thread's state and stack, with the monitors and locks it holds and the one it waits for. */
    static String threadDump() {
        StringBuilder sb = new StringBuilder();
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            if (info == null) {
                continue;
            }
            sb.append('"').append(info.getThreadName()).append("\" ").append(info.getThreadState());
            if (info.getLockName() != null) {
                sb.append(" on ").append(info.getLockName());
            }
            if (info.getLockOwnerName() != null) {
                sb.append(" owned by \"").append(info.getLockOwnerName()).append('"');
            }
            sb.append('\n');
            StackTraceElement[] stack = info.getStackTrace();
            MonitorInfo[] monitors = info.getLockedMonitors();
            for (int i = 0; i < stack.length && i < MAX_FRAMES; i++) {
                sb.append("\tat ").append(stack[i]).append('\n');
                for (MonitorInfo m : monitors) {
                    if (m.getLockedStackDepth() == i) {
                        sb.append("\t- locked ").append(m).append('\n');
                    }
                }
            }
            if (stack.length > MAX_FRAMES) {
                sb.append("\t... ").append(stack.length - MAX_FRAMES).append(" more\n");
            }
            for (LockInfo l : info.getLockedSynchronizers()) {
                sb.append("\t- holds ").append(l).append('\n');
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
