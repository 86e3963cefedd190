package dev.ballot.bench;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A cluster of another system's three member processes (etcd, ZooKeeper) that the bench starts itself: their
 * lifecycle is {@link MemberProcesses}'; a subclass says how to start a member and how to talk to it.
 */
abstract class ExternalBenchCluster implements BenchCluster {
    protected final Path workDir;
    protected final MemberProcesses processes = new MemberProcesses(3);

    ExternalBenchCluster(Path workDir) {
        this.workDir = workDir;
    }

    @Override
    public final int size() {
        return 3;
    }

    @Override
    public final String exitedUnexpectedly() {
        return processes.exitedUnexpectedly();
    }

    @Override
    public final void kill(int member) throws InterruptedException {
        processes.kill(member);
        memberGone(member);
    }

    /** The member's process was killed: a subclass drops what it holds for it (e.g. a client's channel). */
    protected void memberGone(int member) {
    }

    /** Closes what a subclass holds besides the processes (e.g. its clients). */
    protected void closeClients() {
    }

    @Override
    public final void freeze(int member) throws IOException, InterruptedException {
        processes.freeze(member);
    }

    @Override
    public final Process process(int member) {
        return processes.process(member);
    }

    @Override
    public final String logs() {
        return workDir.toString();
    }

    @Override
    public final void close() {
        closeClients();
        processes.killAll();
    }
}
