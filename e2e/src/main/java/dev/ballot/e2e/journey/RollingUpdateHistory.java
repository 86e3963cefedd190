package dev.ballot.e2e.journey;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a rolling update looked like from outside, in the order it was seen, and the verdict on it. Pure: the
 * recorder appends observations (each stamped with the wall clock when it arrived), the checks only read them,
 * so a history written to a file replays the verdict.
 *
 * <p>Sources: pod watch events (one stream, in the API server's order), the members' own status events (a
 * leader's {@code leaderSince} is its own clock reading of the moment it became leader, on the same machine),
 * the operator's Events on the cluster, and the ElectionCluster's status.
 */
final class RollingUpdateHistory {
  /** A pod as one watch event showed it; {@code gone} when the event was its deletion. */
  record PodSeen(long atMs, String name, String uid, String revision, boolean ready, boolean terminating,
                 boolean gone) {}

  /** A member that said it leads, in a term, since a moment (its own clock, ms). */
  record LeaderClaim(long atMs, String name, long term, long sinceMs) {}

  /** An operator Event on the cluster. */
  record OperatorEvent(long atMs, String reason, String message) {}

  /** The ElectionCluster's status as one watch event showed it. */
  record ClusterSeen(long atMs, long generation, String leader, Long term, String ready, long readyGeneration,
                     String degraded, String degradedReason, String step, String blockedBy) {}

  private final List<Object> entries = new ArrayList<>();
  private final Set<String> members;
  private long rolloutStartMs = Long.MAX_VALUE;

  RollingUpdateHistory(Set<String> members) {
    this.members = Set.copyOf(members);
  }

  synchronized void add(Object entry) {
    entries.add(entry);
  }

  synchronized void rolloutStarted(long atMs) {
    rolloutStartMs = atMs;
  }

  synchronized List<Object> entries() {
    return List.copyOf(entries);
  }

  private <T> List<T> of(Class<T> type) {
    return entries().stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** A pod deletion: the first time a pod (by uid) showed up terminating or gone. */
  record Deletion(long atMs, String name, String uid, String revision) {}

  List<Deletion> deletions() {
    List<Deletion> out = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (PodSeen p : of(PodSeen.class)) {
      if ((p.terminating() || p.gone()) && seen.add(p.uid())) {
        out.add(new Deletion(p.atMs(), p.name(), p.uid(), p.revision()));
      }
    }
    return out;
  }

  /** Members counted down (pod missing, terminating or not Ready) at the worst moment, and that moment's set. */
  record Unavailability(int max, long atMs, List<String> down) {}

  Unavailability maxDown() {
    Map<String, PodSeen> current = new HashMap<>();
    Unavailability worst = new Unavailability(0, 0, List.of());
    for (PodSeen p : of(PodSeen.class)) {
      PodSeen old = current.get(p.name());
      // a late event of a replaced pod (older uid) does not bring the replacement down
      if (p.gone() && old != null && !old.uid().equals(p.uid())) {
        continue;
      }
      current.put(p.name(), p);
      if (p.atMs() < rolloutStartMs) {
        continue;
      }
      List<String> down = members.stream().sorted().filter(m -> {
        PodSeen s = current.get(m);
        return s == null || s.gone() || s.terminating() || !s.ready();
      }).toList();
      if (down.size() > worst.max()) {
        worst = new Unavailability(down.size(), p.atMs(), down);
      }
    }
    return worst;
  }

  /**
   * The leader at a moment: of the claims made before it (by the claimant's own clock), the one in the highest
   * term, the latest in that term. Independent of when the claim's event arrived, so a slow stream cannot make
   * a leader look like a follower.
   */
  Optional<LeaderClaim> leaderAt(long atMs) {
    return of(LeaderClaim.class).stream().filter(c -> c.sinceMs() <= atMs)
        .max(Comparator.comparingLong(LeaderClaim::term).thenComparingLong(LeaderClaim::sinceMs));
  }

  /** Successive distinct leaders (by term and since), from the last one before the rollout on. */
  List<LeaderClaim> leaderSequence() {
    List<LeaderClaim> claims = new ArrayList<>(of(LeaderClaim.class));
    claims.sort(Comparator.comparingLong(LeaderClaim::term).thenComparingLong(LeaderClaim::sinceMs));
    List<LeaderClaim> out = new ArrayList<>();
    for (LeaderClaim c : claims) {
      LeaderClaim last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last == null || last.term() != c.term() || !last.name().equals(c.name())) {
        out.add(c);
      }
    }
    int first = 0;
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).sinceMs() <= rolloutStartMs) {
        first = i;
      }
    }
    return out.subList(first, out.size());
  }

  /** Leadership changes from the leader before the rollout to the last one. */
  int leaderMoves() {
    List<LeaderClaim> seq = leaderSequence();
    int moves = 0;
    for (int i = 1; i < seq.size(); i++) {
      if (!seq.get(i).name().equals(seq.get(i - 1).name())) {
        moves++;
      }
    }
    return moves;
  }

  /**
   * Pods deleted while their member led. "Led" is judged by the claimants' own clocks: the deletion came before
   * the next leader's {@code leaderSince}. The node's SIGTERM hand-off only starts after the deletion, so it cannot
   * hide a violation: a leader that moved only because its pod was deleted took over after the deletion.
   */
  List<String> leaderViolations() {
    List<String> out = new ArrayList<>();
    for (Deletion d : deletions()) {
      if (d.atMs() < rolloutStartMs) {
        continue;
      }
      Optional<LeaderClaim> leader = leaderAt(d.atMs());
      if (leader.isPresent() && leader.get().name().equals(d.name())) {
        out.add("pod " + d.name() + " deleted at " + d.atMs() + " while it led (term " + leader.get().term()
            + " since " + leader.get().sinceMs() + ")");
      }
    }
    return out;
  }

  /** The operator's Events on the cluster with {@code reason} seen during the recording (each update of one too). */
  long operatorEvents(String reason) {
    return of(OperatorEvent.class).stream().filter(e -> reason.equals(e.reason())).count();
  }

  /**
   * How each leadership change during the rollout came about: "transfer" when the operator's TransferringLeadership
   * Event for the old leader came before it, else "election" (e.g. a follower timing out on a loaded machine).
   */
  List<String> leaderChanges() {
    List<OperatorEvent> transfers = of(OperatorEvent.class).stream()
        .filter(e -> e.reason().equals("TransferringLeadership")).toList();
    List<LeaderClaim> seq = leaderSequence();
    List<String> out = new ArrayList<>();
    for (int i = 1; i < seq.size(); i++) {
      LeaderClaim from = seq.get(i - 1);
      LeaderClaim to = seq.get(i);
      if (from.name().equals(to.name())) {
        continue;
      }
      boolean asked = transfers.stream().anyMatch(e -> e.atMs() >= from.sinceMs() && e.atMs() <= to.sinceMs()
          && e.message().contains(from.name() + " "));
      out.add((asked ? "transfer " : "election ") + from.name() + " -> " + to.name() + " at " + to.sinceMs());
    }
    return out;
  }

  /** Status snapshots during the rollout in which Degraded was True for QuorumLost. */
  List<ClusterSeen> quorumLost() {
    return of(ClusterSeen.class).stream().filter(c -> c.atMs() >= rolloutStartMs)
        .filter(c -> "True".equals(c.degraded()) && "QuorumLost".equals(c.degradedReason())).toList();
  }

  /** Pods of the old revision deleted since the rollout started. */
  int restarts(String oldRevision) {
    return (int) deletions().stream().filter(d -> d.atMs() >= rolloutStartMs)
        .filter(d -> Objects.equals(oldRevision, d.revision())).count();
  }

  /** One line per entry, oldest first: the replayable record of the run. */
  List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add("# rollout started at " + rolloutStartMs + "; members " + new java.util.TreeSet<>(members));
    out.add("# deletions: " + deletions());
    out.add("# leader changes: " + leaderChanges());
    out.add("# leader violations: " + leaderViolations());
    out.add("# most members down at once: " + maxDown());
    out.add("# times are this machine's wall clock in ms; leaderSince is the new leader's own clock reading");
    for (Object e : entries()) {
      out.add(e.toString());
    }
    return out;
  }
}
