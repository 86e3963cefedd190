package dev.ballot.e2e.provider;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One run per provider on a machine at a time. Two runs of the same provider would share the control plane's
 * ports, the node's bridge and containerd's namespace and fail each other in ways that look like product bugs; a
 * second run therefore waits for the first. The lock is the JVM's own file lock: the kernel drops it when this
 * process exits, however it exits, and the processes the harness starts do not inherit it.
 */
public final class ProviderLock {
  private ProviderLock() {}

  /** Blocks until no other run of {@code provider} holds the lock; holds it until this process exits. */
  public static FileLock acquire(String provider) throws IOException {
    Path file = Path.of(System.getProperty("java.io.tmpdir"), "ballot-e2e-" + provider + ".lock");
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = channel.tryLock();
    if (lock != null) return lock;
    System.err.println("e2e: another --provider " + provider + " run holds " + file + "; waiting for it to end");
    return channel.lock();
  }
}
