package dev.ballot.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** An immutable configuration: members keyed by id, in id order so iteration is deterministic. */
public final class Membership {
    private final SortedMap<Long, Member> members;

    private Membership(SortedMap<Long, Member> members) {
        this.members = Collections.unmodifiableSortedMap(members);
    }

    public static Membership of(List<Member> members) {
        SortedMap<Long, Member> byId = new TreeMap<>();
        for (Member m : members) {
            if (byId.put(m.id(), m) != null) {
                throw new IllegalArgumentException("duplicate member id " + m.id());
            }
        }
        return new Membership(byId);
    }

    public static Membership voters(long... ids) {
        List<Member> list = new ArrayList<>();
        for (long id : ids) {
            list.add(new Member(id, MemberKind.VOTER, ""));
        }
        return of(list);
    }

    public List<Member> members() {
        return List.copyOf(members.values());
    }

    public List<Long> voterIds() {
        return members.values().stream().filter(m -> m.kind().votes()).map(Member::id).toList();
    }

    public List<Long> ids() {
        return List.copyOf(members.keySet());
    }

    public Optional<Member> member(long id) {
        return Optional.ofNullable(members.get(id));
    }

    public boolean contains(long id) {
        return members.containsKey(id);
    }

    public boolean isVoter(long id) {
        Member m = members.get(id);
        return m != null && m.kind().votes();
    }

    public Membership with(Member member) {
        SortedMap<Long, Member> copy = new TreeMap<>(members);
        copy.put(member.id(), member);
        return new Membership(copy);
    }

    public Membership without(long id) {
        SortedMap<Long, Member> copy = new TreeMap<>(members);
        copy.remove(id);
        return new Membership(copy);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Membership other && members.equals(other.members);
    }

    @Override
    public int hashCode() {
        return members.hashCode();
    }

    @Override
    public String toString() {
        return members.values().toString();
    }
}
