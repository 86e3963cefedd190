package dev.ballot.e2e.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;

/** What the kubelet knows about one container of one pod: its current process and its history. */
final class ContainerRun {
  enum State { WAITING, RUNNING, TERMINATED }

  final Container spec;
  Process process;
  State state = State.WAITING;
  String waitingReason = "ContainerCreating";
  String waitingMessage;
  String startedAt;
  long startedAtMs;
  int restartCount;
  Integer exitCode;
  String terminatedReason;
  String finishedAt;
  ContainerState lastState;
  ProbeTracker readiness;
  ProbeTracker liveness;
  /** Set when the kubelet itself stops the process, so its exit is not taken as a crash to restart. */
  volatile boolean stopping;

  ContainerRun(Container spec) {
    this.spec = spec;
  }

  static ProbeTracker.Spec probeSpec(Probe p) {
    return ProbeTracker.Spec.of(p.getInitialDelaySeconds(), p.getPeriodSeconds(), p.getTimeoutSeconds(),
        p.getSuccessThreshold(), p.getFailureThreshold());
  }

  boolean ready() {
    return state == State.RUNNING && (readiness == null || readiness.passing());
  }

  ContainerState currentState() {
    return switch (state) {
      case RUNNING -> new ContainerStateBuilder().withNewRunning().withStartedAt(startedAt).endRunning().build();
      case WAITING -> new ContainerStateBuilder().withNewWaiting().withReason(waitingReason)
          .withMessage(waitingMessage).endWaiting().build();
      case TERMINATED -> terminatedState();
    };
  }

  ContainerState terminatedState() {
    return new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode).withReason(terminatedReason)
        .withStartedAt(startedAt).withFinishedAt(finishedAt).endTerminated().build();
  }

  ContainerStatus status() {
    return new ContainerStatusBuilder().withName(spec.getName()).withImage(spec.getImage())
        .withImageID("process-kubelet://" + spec.getImage())
        .withContainerID(process != null ? "process://" + process.pid() : null)
        .withReady(ready()).withStarted(state == State.RUNNING).withRestartCount(restartCount)
        .withState(currentState()).withLastState(lastState == null ? new ContainerState() : lastState)
        .build();
  }
}
