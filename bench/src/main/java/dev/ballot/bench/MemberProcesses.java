package dev.ballot.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The member processes of a peer system (etcd, ZooKeeper) the bench starts itself: started with output
 * to a log file, killed with SIGKILL on purpose, and told apart from members that died on their own.
 */
final class MemberProcesses {
    private final Process[] processes;
    private final boolean[] killed;

    MemberProcesses(int size) {
        processes = new Process[size];
        killed = new boolean[size];
    }

    void start(int member, List<String> command, Path log) throws IOException {
        processes[member] = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        killed[member] = false;
    }

    boolean alive(int member) {
        Process p = processes[member];
        return p != null && p.isAlive();
    }

    /** A member whose process ended though the bench did not kill it, with its exit code; null when none. */
    String exitedUnexpectedly() {
        for (int i = 0; i < processes.length; i++) {
            Process p = processes[i];
            if (p != null && !killed[i] && !p.isAlive()) {
                return "member " + i + " exited with code " + p.exitValue();
            }
        }
        return null;
    }

    void kill(int member) throws InterruptedException {
        Process p = processes[member];
        killed[member] = true;
        if (p != null) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    /** SIGSTOP; counted as killed on purpose, since {@link #kill} ends it after the failover. */
    void freeze(int member) throws IOException, InterruptedException {
        killed[member] = true;
        Signals.stop(processes[member]);
    }

    Process process(int member) {
        Process p = processes[member];
        return p != null && p.isAlive() ? p : null;
    }

    void killAll() {
        for (Process p : processes) {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
        for (Process p : processes) {
            if (p != null) {
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
