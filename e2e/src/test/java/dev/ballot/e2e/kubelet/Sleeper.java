package dev.ballot.e2e.kubelet;

/** A pod program for ProcessKubeletTest: runs until killed and, with "stubborn", ignores SIGTERM for 60 s. */
public final class Sleeper {
  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && args[0].equals("stubborn")) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    Thread.sleep(600_000);
  }
}
