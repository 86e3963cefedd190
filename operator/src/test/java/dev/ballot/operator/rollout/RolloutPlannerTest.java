package dev.ballot.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.UpdateStrategy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Table of rollout situations. A member is written name:flags with flags among
 * v (voter), p (pod present), u (updated), h (healthy), L (leader); members are separated by spaces.
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
        "unhealthy outdated member first  | ec-0:vphL ec-1:vp ec-2:vph                 | RollingUpdate | true  | RESTART | ec-1",
        "5 voters: one restart at a time   | ec-0:vphL ec-1:vpuh ec-2:vpu ec-3:vpuh ec-4:vpuh | RollingUpdate | true | WAIT | ",
        "5 voters: followers before the leader | ec-0:vphL ec-1:vph ec-2:vpuh ec-3:vpuh ec-4:vpuh | RollingUpdate | true | RESTART | ec-1",
        "single voter restarts anyway     | ec-0:vphL                                  | RollingUpdate | true  | RESTART | ec-0",
        "no leader: wait for an election  | ec-0:vph ec-1:vph ec-2:vph                 | RollingUpdate | true  | WAIT | ",
        "manual strategy only reports     | ec-0:vphL ec-1:vph ec-2:vph                | Manual        | true  | WAIT | "})
    void nextStep(String label, String members, UpdateStrategy.Type type, boolean transfer,
                  RolloutAction.Kind kind, String target) {
        RolloutAction action = RolloutPlanner.next(parse(members), type, transfer);
        assertThat(action.kind()).as(label + ": " + action).isEqualTo(kind);
        if (kind == RolloutAction.Kind.WAIT) {
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

    private static List<RolloutMember> parse(String members) {
        List<RolloutMember> out = new ArrayList<>();
        for (String m : members.trim().split("\\s+")) {
            String name = m.substring(0, m.indexOf(':'));
            String flags = m.substring(m.indexOf(':') + 1);
            int ordinal = Integer.parseInt(name.substring(name.indexOf('-') + 1));
            out.add(new RolloutMember(name, ordinal, flags.contains("v"), flags.contains("p"), flags.contains("u"),
                    flags.contains("h"), flags.contains("L")));
        }
        return out;
    }
}
