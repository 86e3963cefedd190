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
  private int next = FIRST;

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
