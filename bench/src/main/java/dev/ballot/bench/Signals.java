package dev.ballot.bench;

import java.io.IOException;

/** Signals Java's {@link Process} cannot send: SIGSTOP, through the system's {@code kill}. */
final class Signals {
    private Signals() {
    }

    /**
     * SIGSTOP: the process stays, with every socket open, and stops answering, as a hung or cut-off machine
     * would; no peer sees a connection close. SIGKILL ({@link Process#destroyForcibly}) still ends it.
     */
    static void stop(Process p) throws IOException, InterruptedException {
        if (p == null || !p.isAlive()) {
            return;
        }
        Process kill = new ProcessBuilder("kill", "-STOP", Long.toString(p.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -STOP " + p.pid() + " exited with " + kill.exitValue());
        }
    }
}
