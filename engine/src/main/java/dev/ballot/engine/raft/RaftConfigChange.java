package dev.ballot.engine.raft;

import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;

/** The configuration after one Raft membership change (ADD_LEARNER, PROMOTE, REMOVE); pure. */
final class RaftConfigChange {
    private RaftConfigChange() {
    }

    /** The configuration after {@code change}; a change that makes no sense is refused with the reason. */
    static Membership next(Membership current, MembershipChange change) {
        long memberId = change.memberId();
        if (memberId <= 0) {
            throw new IllegalArgumentException("memberId must be positive, got " + memberId);
        }
        return switch (change.type()) {
            case ADD_LEARNER -> {
                if (current.contains(memberId)) {
                    throw new IllegalArgumentException("member " + memberId + " is already in the configuration as "
                            + current.member(memberId).orElseThrow().kind().wireName());
                }
                yield current.with(new Member(memberId, MemberKind.LEARNER, change.address()));
            }
            case ADD_OBSERVER -> throw new IllegalArgumentException(
                    "Raft has learners, not observers: use ADD_LEARNER for member " + memberId);
            case PROMOTE -> {
                Member m = current.member(memberId).orElseThrow(() -> new IllegalArgumentException(
                        "member " + memberId + " is not in the configuration; add it as a learner first"));
                if (m.kind() != MemberKind.LEARNER) {
                    throw new IllegalArgumentException("member " + memberId + " is a " + m.kind().wireName()
                            + "; only a learner can be promoted");
                }
                yield current.with(m.withKind(MemberKind.VOTER));
            }
            case REMOVE -> {
                if (!current.contains(memberId)) {
                    throw new IllegalArgumentException("member " + memberId + " is not in the configuration");
                }
                if (current.isVoter(memberId) && current.voterIds().size() == 1) {
                    throw new IllegalArgumentException("cannot remove member " + memberId + ": it is the last voter");
                }
                yield current.without(memberId);
            }
        };
    }
}
