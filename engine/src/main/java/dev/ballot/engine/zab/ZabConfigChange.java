package dev.ballot.engine.zab;

import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;

/** The configuration after one ZAB membership change (ADD_OBSERVER, PROMOTE, REMOVE); pure. */
final class ZabConfigChange {
    private ZabConfigChange() {
    }

    /** {@code membership} after {@code change}; a change that makes no sense is refused with the reason and the fix. */
    static Membership next(Membership membership, MembershipChange change) {
        long who = change.memberId();
        Member current = membership.member(who).orElse(null);
        return switch (change.type()) {
            case ADD_OBSERVER, ADD_LEARNER -> {
                if (current != null) {
                    if (current.kind().votes()) {
                        throw new IllegalArgumentException("member " + who + " is already a voter; REMOVE it first to re-add it as an observer");
                    }
                    yield membership;
                }
                yield membership.with(new Member(who, MemberKind.OBSERVER, change.address()));
            }
            case PROMOTE -> {
                if (current == null) {
                    throw new IllegalArgumentException("member " + who + " is not in the configuration; ADD_OBSERVER it first, then PROMOTE");
                }
                yield current.kind().votes() ? membership : membership.with(current.withKind(MemberKind.VOTER));
            }
            case REMOVE -> {
                if (current == null) {
                    yield membership;
                }
                Membership without = membership.without(who);
                if (without.voterIds().isEmpty()) {
                    throw new IllegalArgumentException("removing member " + who + " would leave no voters; add and promote another member first");
                }
                yield without;
            }
        };
    }
}
