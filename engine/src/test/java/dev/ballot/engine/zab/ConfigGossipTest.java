package dev.ballot.engine.zab;

import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.engine.zab.ZabMessage.Notification;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** When a LOOKING server takes the configuration a notification carries: the table of {@link ConfigGossip}. */
class ConfigGossipTest {
    /** Ours: the static configuration a member re-added empty after a quorum-loss recovery starts with. */
    private static final Membership STALE = Membership.voters(1, 3).with(new Member(2, MemberKind.OBSERVER, ""));
    private static final Membership KEPT_ALONE = Membership.voters(3);
    private static final Membership KEPT_AND_US = KEPT_ALONE.with(new Member(2, MemberKind.OBSERVER, "h2"));
    private static final long NEWER = Zxid.of(4, 2);

    private record Case(String name, ServerState ours, long ourVersion, Notification m, String refusal) {
    }

    private static Notification from(long sender, long leader, ServerState state, long version, Membership config) {
        return new Notification(sender, 2, leader, Zxid.of(3, 9), 3, 5, state, 0, version, config);
    }

    @Test
    void onlyAWorkingEnsemblesStrictlyNewerCoherentConfigurationIsTaken() {
        List<Case> table = List.of(
                new Case("the leader's newer configuration", ServerState.LOOKING, 0,
                        from(3, 3, ServerState.LEADING, NEWER, KEPT_AND_US), null),
                new Case("a follower's newer configuration", ServerState.LOOKING, 0,
                        from(1, 3, ServerState.FOLLOWING, NEWER, Membership.voters(1, 3)), null),
                new Case("the leader's configuration without us yet", ServerState.LOOKING, 0,
                        from(3, 3, ServerState.LEADING, NEWER, KEPT_ALONE), null),
                new Case("an older configuration (stale peer)", ServerState.LOOKING, Zxid.of(5, 1),
                        from(3, 3, ServerState.LEADING, NEWER, KEPT_AND_US), "is not newer than ours"),
                new Case("the same version", ServerState.LOOKING, NEWER,
                        from(3, 3, ServerState.LEADING, NEWER, KEPT_AND_US), "is not newer than ours"),
                new Case("another looker's configuration", ServerState.LOOKING, 0,
                        from(3, 3, ServerState.LOOKING, NEWER, KEPT_AND_US), "the sender is LOOKING"),
                new Case("an observer's configuration", ServerState.LOOKING, 0,
                        from(3, 3, ServerState.OBSERVING, NEWER, KEPT_AND_US), "the sender is OBSERVING"),
                new Case("no configuration", ServerState.LOOKING, 0,
                        from(3, 3, ServerState.LEADING, 0, null), "carries no configuration"),
                new Case("a sender we do not know", ServerState.LOOKING, 0,
                        from(9, 9, ServerState.LEADING, NEWER, Membership.voters(9)), "is not in our configuration"),
                new Case("a sender that does not vote in what it sent", ServerState.LOOKING, 0,
                        from(1, 3, ServerState.FOLLOWING, NEWER, KEPT_ALONE), "does not vote in the configuration"),
                new Case("a LEADING sender naming another leader", ServerState.LOOKING, 0,
                        from(3, 1, ServerState.LEADING, NEWER, Membership.voters(1, 3)), "names another leader"),
                new Case("a follower naming a leader outside what it sent", ServerState.LOOKING, 0,
                        from(1, 3, ServerState.FOLLOWING, NEWER, Membership.voters(1)), "does not vote in the"),
                new Case("our own configuration again", ServerState.LOOKING, 0,
                        from(3, 3, ServerState.LEADING, NEWER, STALE), "the same configuration"),
                new Case("a server that follows already", ServerState.OBSERVING, 0,
                        from(3, 3, ServerState.LEADING, NEWER, KEPT_AND_US), "not looking"));
        for (Case c : table) {
            String refusal = ConfigGossip.refusal(c.ours(), c.ourVersion(), STALE, c.m());
            if (c.refusal() == null) {
                assertThat(refusal).as(c.name()).isNull();
            } else {
                assertThat(refusal).as(c.name()).isNotNull().contains(c.refusal());
            }
        }
    }
}
