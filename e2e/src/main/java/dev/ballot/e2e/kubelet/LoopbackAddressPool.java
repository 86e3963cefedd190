package dev.ballot.e2e.kubelet;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Hands each pod its own loopback address in 127.0.1.1 - 127.0.255.254 (127.0.0.x stays for the host's
 * own services). Linux routes all of 127/8 to lo, so many pods can bind the same port. Addresses are
 * handed out round-robin, so a pod that replaces a deleted one gets a fresh address, as on a real node.
 */
public final class LoopbackAddressPool {
  private static final int FIRST = (1 << 8) | 1; // 127.0.1.1
  private static final int LAST = (255 << 8) | 254; // 127.0.255.254
  private final Map<String, Integer> byOwner = new HashMap<>();
  private final Set<Integer> inUse = new HashSet<>();
  private int next;

  public LoopbackAddressPool() {
    this(1);
  }

  /** Starts handing out addresses at 127.0.{@code block}.1 (block 1-255). */
  public LoopbackAddressPool(int block) {
    if (block < 1 || block > 255) {
      throw new IllegalArgumentException("pod address block must be 1-255 (127.0.<block>.1), got " + block);
    }
    next = (block << 8) | 1;
  }

  /**
   * The pool of one e2e run: from 127.0.{@code BALLOT_E2E_POD_BLOCK}.1, else from a block picked by the process id
   * (2-251), so two runs on one machine at once (each pod binds fixed ports on its address) do not hand out the same
   * addresses. A run uses a few dozen.
   */
  public static LoopbackAddressPool forThisRun() {
    String given = System.getenv("BALLOT_E2E_POD_BLOCK");
    if (given != null && !given.isBlank()) {
      return new LoopbackAddressPool(Integer.parseInt(given.strip()));
    }
    return new LoopbackAddressPool(2 + (int) (ProcessHandle.current().pid() % 250));
  }

  /** The owner's address, allocating one on first call. */
  public synchronized String allocate(String owner) {
    Integer held = byOwner.get(owner);
    if (held != null) {
      return format(held);
    }
    int size = LAST - FIRST + 1;
    for (int tried = 0; tried < size; tried++) {
      int candidate = next;
      next = candidate >= LAST ? FIRST : candidate + 1;
      if ((candidate & 0xff) == 0 || (candidate & 0xff) == 255 || inUse.contains(candidate)) {
        continue;
      }
      inUse.add(candidate);
      byOwner.put(owner, candidate);
      return format(candidate);
    }
    throw new IllegalStateException("no free loopback address in 127.0.1.1-127.0.255.254; too many pods");
  }

  public synchronized void release(String owner) {
    Integer held = byOwner.remove(owner);
    if (held != null) {
      inUse.remove(held);
    }
  }

  private static String format(int offset) {
    return "127.0." + (offset >> 8) + "." + (offset & 0xff);
  }
}
