package dev.ballot.operator.actions;

import dev.ballot.operator.api.MemberStatus;
import dev.ballot.operator.status.PodView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@link ClusterView} the action tests start from: a bootstrapped cluster of voters then learners, ec-0 leading,
 * every member healthy with lag 0 and pod uid-&lt;ordinal&gt;, no replacement running, until a test changes it.
 */
final class ClusterFixture {
    final List<MemberStatus> members = new ArrayList<>();
    final Map<String, PodView> pods = new HashMap<>();
    String leader = "ec-0";
    String blockedReason;
    boolean hold;
    boolean bootstrapped = true;
    ClusterView.Replacing replacing;

    ClusterFixture(int voters, int learners) {
        for (int i = 0; i < voters + learners; i++) {
            MemberStatus m = new MemberStatus();
            m.name = "ec-" + i;
            m.voter = i < voters;
            m.ready = true;
            m.lag = 0L;
            members.add(m);
            pods.put(m.name, new PodView(m.name, "rev-1", true, false, List.of(), "uid-" + i));
        }
    }

    /** Three healthy voters. */
    static ClusterFixture healthy() {
        return new ClusterFixture(3, 0);
    }

    ClusterFixture member(String name, Consumer<MemberStatus> edit) {
        members.stream().filter(m -> m.name.equals(name)).forEach(edit);
        return this;
    }

    /** Replaces the member's pod (null: it has none). */
    ClusterFixture pod(String name, PodView pod) {
        if (pod == null) {
            pods.remove(name);
        } else {
            pods.put(name, pod);
        }
        return this;
    }

    ClusterFixture leader(String name) {
        leader = name;
        return this;
    }

    ClusterFixture blocked(String reason, boolean holdSteps) {
        blockedReason = reason;
        hold = holdSteps;
        return this;
    }

    ClusterFixture notBootstrapped() {
        bootstrapped = false;
        return this;
    }

    ClusterFixture replacing(String member, String step) {
        replacing = new ClusterView.Replacing(member, step);
        return this;
    }

    ClusterView view() {
        return new ClusterView(leader, 7L, members, pods, blockedReason,
                blockedReason == null ? null : "blocked: " + blockedReason, hold, bootstrapped, replacing);
    }

    @Override
    public String toString() {
        return "cluster";
    }
}
