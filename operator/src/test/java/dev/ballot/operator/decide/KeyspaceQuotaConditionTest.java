package dev.ballot.operator.decide;

import static dev.ballot.operator.decide.ClusterDeciderTest.run;
import static dev.ballot.operator.decide.ClusterDeciderTest.snapshot;
import static dev.ballot.operator.decide.ClusterDeciderTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.members.ReportedStatus;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.KeyspaceQuotaCondition;
import dev.ballot.operator.status.StatusConditions;
import dev.ballot.operator.status.WorkloadView;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The status the operator builds from the members' NOSPACE alarm (the keyspace quota, docs/node-api.md, Limits): the
 * KeyspaceQuotaExceeded condition and its Events.
 */
class KeyspaceQuotaConditionTest {
    /**
     * Members: one letter per member, N reports NOSPACE, O reports no alarm, X unreachable, ? not heard from. Quota:
     * spec.keyspaceQuota or - for none. Previous: the previous KeyspaceQuotaExceeded status, - for no condition.
     * Expected: the condition's status and reason (- for no condition), and the Event reason (- for none).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // label                                        | quota | members | prev  | status | reason      | event
        "a quota, no alarm                              | 8Mi   | OOO     | -     | False  | WithinQuota | -",
        "every member raised it                         | 8Mi   | NNN     | False | True   | NoSpace     | NoSpace",
        "a lagging member has not applied it yet        | 8Mi   | NNO     | False | True   | NoSpace     | NoSpace",
        "still standing: no second Event                | 8Mi   | NNN     | True  | True   | NoSpace     | -",
        "disarmed                                       | 8Mi   | OOO     | True  | False  | WithinQuota | SpaceFreed",
        "one unreachable, the others report it          | 8Mi   | XNN     | False | True   | NoSpace     | NoSpace",
        "nobody answers: the last verdict stands        | 8Mi   | XX?     | True  | True   | NoSpace     | -",
        "no quota, no alarm: no condition               | -     | OOO     | -     | -      | -           | -",
        "quota removed, alarm not disarmed yet          | -     | NNN     | True  | True   | NoSpace     | -",
        "quota removed, then disarmed: condition gone   | -     | OOO     | True  | -      | -           | -"})
    void conditionAndEvents(String label, String quota, String members, String prev, String status, String reason,
                            String event) {
        ElectionClusterSpec spec = spec(3);
        if (!"-".equals(quota)) {
            spec.keyspaceQuota = new Quantity(quota);
        }
        ElectionClusterStatus previous = null;
        if (!"-".equals(prev)) {
            previous = new ElectionClusterStatus();
            previous.conditions = List.of(new Condition("2026-11-27T11:00:00Z", "before", 6L,
                    "True".equals(prev) ? KeyspaceQuotaCondition.NO_SPACE : KeyspaceQuotaCondition.WITHIN_QUOTA, prev,
                    KeyspaceQuotaCondition.TYPE));
        }
        ClusterDecision.Final r = run(new ClusterDeciderTest.Case(snapshot(7, spec, null, NotHeardFromTest.readyPods(3),
                observations(members), previous), new WorkloadView(true, 3, 3, "rev-1", true)));
        Condition c = StatusConditions.find(r.status().conditions, KeyspaceQuotaCondition.TYPE);
        if ("-".equals(status)) {
            assertThat(c).as("no condition").isNull();
        } else {
            assertThat(c).as("the condition").isNotNull();
            assertThat(c.getStatus()).isEqualTo(status);
            assertThat(c.getReason()).isEqualTo(reason);
            assertThat(c.getObservedGeneration()).isEqualTo(7L);
        }
        if ("True".equals(status) && members.contains("N")) {
            assertThat(c.getMessage()).contains("NOSPACE", "etcdctl alarm disarm", "spec.keyspaceQuota")
                    .contains(members.startsWith("N") ? "ec-0" : "ec-1");
            if (!"-".equals(quota)) {
                assertThat(c.getMessage()).contains("8388608 bytes");
            }
        }
        List<String> quotaEvents = r.events().stream().map(EventToPublish::reason)
                .filter(e -> e.equals("NoSpace") || e.equals("SpaceFreed")).toList();
        assertThat(quotaEvents).isEqualTo("-".equals(event) ? List.of() : List.of(event));
        if ("NoSpace".equals(event)) {
            assertThat(r.events()).filteredOn(e -> e.reason().equals("NoSpace")).singleElement()
                    .satisfies(e -> assertThat(e.warning()).as("a Warning Event").isTrue());
        }
    }

    private static Map<String, MemberObservation> observations(String members) {
        Map<String, MemberObservation> out = new HashMap<>();
        for (int i = 0; i < members.length(); i++) {
            String name = "ec-" + i;
            char m = members.charAt(i);
            if (m == '?') {
                continue;
            }
            if (m == 'X') {
                out.put(name, MemberObservation.unreachable(name, "ConnectException: Connection refused"));
                continue;
            }
            out.put(name, MemberObservation.reachable(name, new ReportedStatus("ec", name, "raft",
                    i == 1 ? "leader" : "follower", 5L, "ec-1", null, null, 10L, 10L, 10L, null, "0.1.0", List.of(),
                    null, null, null, m == 'N' ? List.of("NOSPACE") : List.of())));
        }
        return out;
    }
}
