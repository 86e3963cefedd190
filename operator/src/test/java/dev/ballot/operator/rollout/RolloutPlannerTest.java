package dev.ballot.operator.rollout;

import dev.ballot.operator.step.Step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.UpdateStrategy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Table of rollout situations. A member is written name:flags with flags among
 * v (voter), p (pod present), u (updated), h (healthy), L (leader), e (answering but electing: unhealthy, not down);
 * members are separated by spaces.
 */
class RolloutPlannerTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "all updated                      | ec-0:vpuhL ec-1:vpuh ec-2:vpuh            | RollingUpdate | true  | NONE | ",
        "followers first, highest ordinal | ec-0:vphL ec-1:vph ec-2:vph               | RollingUpdate | true  | RESTART | ec-2",
        "then the other follower          | ec-0:vphL ec-1:vph ec-2:vpuh               | RollingUpdate | true  | RESTART | ec-1",
        "leader last, after a transfer    | ec-0:vphL ec-1:vpuh ec-2:vpuh              | RollingUpdate | true  | TRANSFER_LEADERSHIP | ec-0",
        "leader restarted when no transfer| ec-0:vphL ec-1:vpuh ec-2:vpuh              | RollingUpdate | false | RESTART | ec-0",
        "leader moved: old one is now a follower | ec-0:vph ec-1:vpuhL ec-2:vpuh      | RollingUpdate | true  | RESTART | ec-0",
        "non-voters before voters         | ec-0:vphL ec-1:vph ec-2:vph ec-3:ph        | RollingUpdate | true  | RESTART | ec-3",
        "wait while a restarted pod is gone | ec-0:vphL ec-1:vph ec-2:vu               | RollingUpdate | true  | WAIT | ",
        "wait while a restarted pod is unhealthy | ec-0:vphL ec-1:vph ec-2:vpu       | RollingUpdate | true  | WAIT | ",
        "down outdated member first       | ec-0:vphL ec-1:vp ec-2:vph                 | RollingUpdate | true  | RESTART | ec-1",
        "an electing member is not down   | ec-0:vphL ec-1:vpe ec-2:vph                | RollingUpdate | true  | WAIT | ",
        "election after a transfer: wait  | ec-0:vpe ec-1:vpue ec-2:vpue               | RollingUpdate | true  | WAIT | ",
        "election mid-rollout: no restart | ec-0:vpe ec-1:vpe ec-2:vpuh                | RollingUpdate | true  | WAIT | ",
        "down observer before followers   | ec-0:vphL ec-1:vph ec-2:vph ec-3:p          | RollingUpdate | true  | RESTART | ec-3",
        "5 voters: one restart at a time   | ec-0:vphL ec-1:vpuh ec-2:vpu ec-3:vpuh ec-4:vpuh | RollingUpdate | true | WAIT | ",
        "5 voters: followers before the leader | ec-0:vphL ec-1:vph ec-2:vpuh ec-3:vpuh ec-4:vpuh | RollingUpdate | true | RESTART | ec-1",
        "single voter restarts anyway     | ec-0:vphL                                  | RollingUpdate | true  | RESTART | ec-0",
        "no leader: wait for an election  | ec-0:vph ec-1:vph ec-2:vph                 | RollingUpdate | true  | WAIT | ",
        "manual strategy only reports     | ec-0:vphL ec-1:vph ec-2:vph                | Manual        | true  | WAIT | "})
    void nextStep(String label, String members, UpdateStrategy.Type type, boolean transfer,
                  Step.Kind kind, String target) {
        Step action = RolloutPlanner.next(parse(members), type, transfer);
        assertThat(action.kind()).as(label + ": " + action).isEqualTo(kind);
        if (kind == Step.Kind.WAIT) {
            assertThat(action.blockedBy()).as("a wait says why").isNotBlank();
        } else {
            assertThat(action.target()).isEqualTo(target);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no leader      | ec-0:vph ec-1:vph ec-2:vph | no leader is known",
        "manual         | ec-0:vphL ec-1:vph ec-2:vph | spec.updateStrategy.type is Manual",
        "coming back    | ec-0:vphL ec-1:vph ec-2:vpu | waiting for ec-2 to come back healthy"})
    void waitsSayWhy(String label, String members, String reason) {
        UpdateStrategy.Type type = label.startsWith("manual") ? UpdateStrategy.Type.Manual
                : UpdateStrategy.Type.RollingUpdate;
        assertThat(RolloutPlanner.next(parse(members), type, true).blockedBy()).contains(reason);
    }

    /**
     * A planned step checked against the leader's fresh report. fresh: leader/lastIndex then member=matchIndex
     * pairs, or "-" when the leader could not be read.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "caught up: restart goes ahead        | RESTART | ec-1 | ec-0 | ec-0/500 ec-1=500 ec-2=480        | RESTART | ",
        "restarted member still behind        | RESTART | ec-1 | ec-0 | ec-0/500 ec-1=500 ec-2=300        | WAIT    | waiting for ec-2 to catch up with the leader ec-0 (200 entries behind)",
        "no progress for a voter              | RESTART | ec-1 | ec-0 | ec-0/500 ec-1=500                 | WAIT    | ec-2 to catch up with the leader ec-0 (no progress reported)",
        "target leads after all               | RESTART | ec-0 | ec-1 | ec-0/500 ec-1=500 ec-2=500        | WAIT    | ec-0 still leads; waiting for leadership to move",
        "transfer confirmed: old leader next  | RESTART | ec-0 | ec-1 | ec-1/510 ec-0=510 ec-2=505        | RESTART | ",
        "leader restart planned (no transfer) | RESTART | ec-0 | ec-0 | ec-0/500 ec-1=500 ec-2=500        | RESTART | ",
        "leader unreadable                    | RESTART | ec-1 | ec-0 | -                                 | WAIT    | could not read the leader's progress",
        "transfer only with caught-up voters  | TRANSFER_LEADERSHIP | ec-0 | ec-0 | ec-0/500 ec-1=500 ec-2=350 | WAIT | waiting for ec-2 to catch up",
        "transfer goes ahead                  | TRANSFER_LEADERSHIP | ec-0 | ec-0 | ec-0/500 ec-1=500 ec-2=499 | TRANSFER_LEADERSHIP | ",
        "transfer already happened            | TRANSFER_LEADERSHIP | ec-0 | ec-0 | ec-2/500 ec-1=500 ec-0=500 | WAIT | leadership already moved to ec-2",
        "non-voter needs no confirmation      | RESTART | ec-3 | ec-0 | -                                 | RESTART | "})
    void confirmAgainstTheLeadersFreshProgress(String label, Step.Kind kind, String target,
                                               String plannedLeader, String fresh, Step.Kind expected,
                                               String reason) {
        Step planned = kind == Step.Kind.RESTART ? Step.restart(target)
                : Step.transfer(target);
        Step out = RolloutPlanner.confirm(planned, Set.of("ec-0", "ec-1", "ec-2"), plannedLeader,
                progress(fresh));
        assertThat(out.kind()).as(label + ": " + out).isEqualTo(expected);
        if (expected == Step.Kind.WAIT) {
            assertThat(out.blockedBy()).contains(reason);
            assertThat(out.step()).isEqualTo(planned.step());
        } else {
            assertThat(out).isEqualTo(planned);
        }
    }

    @Test
    void aSingleVoterNeedsNoConfirmation() {
        Step planned = Step.restart("ec-0");
        assertThat(RolloutPlanner.confirm(planned, Set.of("ec-0"), "ec-0", Optional.empty())).isEqualTo(planned);
    }

    private static Optional<LeaderProgress> progress(String fresh) {
        if (fresh.equals("-")) {
            return Optional.empty();
        }
        String[] parts = fresh.trim().split("\\s+");
        String[] head = parts[0].split("/");
        Map<String, Long> match = new HashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=");
            match.put(kv[0], Long.parseLong(kv[1]));
        }
        return Optional.of(new LeaderProgress(head[0], Long.parseLong(head[1]), match));
    }

    private static List<RolloutMember> parse(String members) {
        List<RolloutMember> out = new ArrayList<>();
        for (String m : members.trim().split("\\s+")) {
            String name = m.substring(0, m.indexOf(':'));
            String flags = m.substring(m.indexOf(':') + 1);
            int ordinal = Integer.parseInt(name.substring(name.indexOf('-') + 1));
            boolean healthy = flags.contains("h");
            out.add(new RolloutMember(name, ordinal, flags.contains("v"), flags.contains("p"), flags.contains("u"),
                    healthy, flags.contains("L"), !healthy && !flags.contains("e")));
        }
        return out;
    }
}
