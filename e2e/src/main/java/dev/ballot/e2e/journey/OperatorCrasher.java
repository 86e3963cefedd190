package dev.ballot.e2e.journey;

import dev.ballot.e2e.provider.Cluster;
import dev.ballot.e2e.provider.OperatorProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Kills the operator between steps: where it runs as a local process, watches {@code status.rollout.step} of one
 * cluster every 100 ms and, each time it names a new step (a step boundary, as the operator itself published it),
 * SIGKILLs the operator process by its pid and starts a new one with the same kubeconfig and identity, at most
 * {@code maxKills} times. The new process must pick up from what it observes: nothing is remembered in between.
 */
final class OperatorCrasher implements Runnable {
  private final JourneyContext ctx;
  private final String ec;
  private final int maxKills;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<String> killedAt = new ArrayList<>();
  private volatile String error;
  private Thread thread;

  OperatorCrasher(JourneyContext ctx, String ec, int maxKills) {
    this.ctx = ctx;
    this.ec = ec;
    this.maxKills = maxKills;
  }

  static boolean applies(Cluster cluster) {
    return cluster.operatorMode() == Cluster.OperatorMode.LOCAL_PROCESS;
  }

  OperatorCrasher start() {
    thread = new Thread(this, "operator-crasher");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /** Stops watching; the operator running now stays. Returns the steps at which it was killed. */
  synchronized List<String> stop() throws InterruptedException {
    running.set(false);
    thread.join(30_000);
    return List.copyOf(killedAt);
  }

  String error() {
    return error;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void run() {
    String last = null;
    while (running.get() && killedAt.size() < maxKills) {
      try {
        Map<String, Object> status = ctx.electionCluster(ec)
            .map(g -> (Map<String, Object>) g.getAdditionalProperties().get("status")).orElse(null);
        Map<String, Object> rollout = status == null ? null : (Map<String, Object>) status.get("rollout");
        String step = rollout == null ? null : (String) rollout.get("step");
        if (step != null && !step.isEmpty() && !step.equals(last)) {
          last = step;
          killAndRestart(step);
        }
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        error = e.getClass().getSimpleName() + ": " + e.getMessage();
      }
    }
  }

  private void killAndRestart(String step) throws Exception {
    String jar = OperatorProcess.jar(ctx.repo()).toString();
    List<ProcessHandle> operators = ProcessHandle.current().descendants()
        .filter(p -> p.info().commandLine().map(c -> c.contains(jar)).orElse(false)).toList();
    if (operators.isEmpty()) {
      error = "no operator process to kill at step '" + step + "'";
      return;
    }
    for (ProcessHandle p : operators) {
      System.err.println("operator-crasher: SIGKILL operator pid " + p.pid() + " at step '" + step + "'");
      p.destroyForcibly();
      p.onExit().get(10, TimeUnit.SECONDS);
    }
    killedAt.add(step);
    Path kubeconfig = ctx.kubectl().kubeconfig().resolveSibling("operator.kubeconfig");
    Process next = ctx.cluster().startOperator(kubeconfig, Map.of("POD_NAME", Install.LOCAL_OPERATOR_ID));
    System.err.println("operator-crasher: started operator pid " + next.pid());
  }
}
