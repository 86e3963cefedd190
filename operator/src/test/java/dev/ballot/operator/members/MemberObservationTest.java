package dev.ballot.operator.members;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemberObservationTest {
    @Test
    void progressCountersAreNotSignificantButLeadershipIs() {
        var a = MemberObservation.reachable("ec-0", status("follower", 3, "ec-1", 10L, 5L));
        var sameStoryNewCounters = MemberObservation.reachable("ec-0", status("follower", 3, "ec-1", 99L, 80L));
        var newLeader = MemberObservation.reachable("ec-0", status("follower", 4, "ec-2", 10L, 5L));
        var gone = MemberObservation.unreachable("ec-0", "ConnectException");
        assertThat(a.significantPart()).isEqualTo(sameStoryNewCounters.significantPart());
        assertThat(a.significantPart()).isNotEqualTo(newLeader.significantPart());
        assertThat(a.significantPart()).isNotEqualTo(gone.significantPart());
    }

    @Test
    void aLeaderChangeIsLoggedOncePerTerm() {
        var follower = MemberObservation.reachable("ec-0", status("follower", 3, "ec-1", 10L, 5L));
        var leads3 = MemberObservation.reachable("ec-0", status("leader", 3, "ec-0", 10L, 0L));
        var leads3Later = MemberObservation.reachable("ec-0", status("leader", 3, "ec-0", 90L, 0L));
        var leads4 = MemberObservation.reachable("ec-0", status("leader", 4, "ec-0", 90L, 0L));
        var zabLeading = MemberObservation.reachable("ec-0", status("leading", 2, "ec-0", 9L, 0L));
        var zabSynchronising = MemberObservation.reachable("ec-0", status("leading", 2, null, 9L, 0L));
        var gone = MemberObservation.unreachable("ec-0", "ConnectException");
        assertThat(MemberStatusEventSource.leadsInNewTerm(follower, zabSynchronising)).as("ZAB, not serving yet").isFalse();
        assertThat(MemberStatusEventSource.leadsInNewTerm(zabSynchronising, zabLeading)).as("ZAB, serving").isTrue();
        assertThat(MemberStatusEventSource.leadsInNewTerm(follower, leads3)).as("elected").isTrue();
        assertThat(MemberStatusEventSource.leadsInNewTerm(null, leads3)).as("first report, leading").isTrue();
        assertThat(MemberStatusEventSource.leadsInNewTerm(gone, leads3)).as("back, leading").isTrue();
        assertThat(MemberStatusEventSource.leadsInNewTerm(leads3, leads4)).as("re-elected, next term").isTrue();
        assertThat(MemberStatusEventSource.leadsInNewTerm(follower, zabLeading)).as("ZAB's role name").isTrue();
        assertThat(MemberStatusEventSource.leadsInNewTerm(leads3, leads3Later)).as("same term").isFalse();
        assertThat(MemberStatusEventSource.leadsInNewTerm(leads3, follower)).as("stepped down").isFalse();
        assertThat(MemberStatusEventSource.leadsInNewTerm(leads3, gone)).as("unreachable").isFalse();
    }

    @Test
    void theNospaceAlarmIsSignificant() {
        ReportedStatus s = status("leader", 3, "ec-0", 10L, 0L);
        ReportedStatus alarmed = new ReportedStatus(s.clusterId(), s.nodeId(), s.protocol(), s.role(), s.term(),
                s.leaderId(), null, null, 11L, 11L, 11L, null, s.version(), s.members(), null, null, null,
                List.of("NOSPACE"));
        assertThat(MemberObservation.reachable("ec-0", alarmed).significantPart()).as("raised")
                .isNotEqualTo(MemberObservation.reachable("ec-0", s).significantPart());
    }

    @Test
    void urlTemplateExpandsEveryPlaceholder() {
        var member = new dev.ballot.operator.desired.MemberEndpoint("ec-2", 3, true, "ec-2.ec-peers.ns.svc");
        assertThat(MemberUrls.base(MemberUrls.DEFAULT_TEMPLATE, "ec", "ns", member).toString())
                .isEqualTo("http://ec-2.ec-peers.ns.svc:8080");
        assertThat(MemberUrls.base("http://127.0.0.1:8/{namespace}/{pod}/{ordinal}/{id}/{host}/", "ec", "ns", member)
                .toString()).isEqualTo("http://127.0.0.1:8/ns/ec-2/2/3/ec-2.ec-peers.ns.svc");
    }

    private static ReportedStatus status(String role, long term, String leader, long commit, long contact) {
        return new ReportedStatus("c", "ec-0", "raft", role, term, leader, null, null, commit, commit, commit, null, "0.1.0",
                List.of(new ReportedStatus.ReportedMember("ec-0", "a:2380", "voter", commit, contact, true)));
    }
}
