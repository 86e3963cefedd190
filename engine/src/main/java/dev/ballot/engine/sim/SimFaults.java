package dev.ballot.engine.sim;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.Member;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.quorum.Quorum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The chaos phase's faults: crashes, pauses, restarts, partitions of four shapes, heals, lossy links, quiet
 * clients, wrong "connection closed" hints, and the operator's work (membership changes, leadership transfers).
 * Each seed draws its own mix, so some seeds flap leaders and others churn membership.
 */
final class SimFaults {
    private static final int MAX_NODE_ID = 9;

    /** The kinds of fault. */
    private enum Fault {
        CRASH, CRASH_LEADER, RESTART, SPLIT, ONE_WAY, ISOLATE_LEADER, RING, HEAL, MEMBERSHIP, TRANSFER, LOSSY, QUIET,
        PAUSE, SOCKET_RESET
    }

    private final Simulation sim;
    private int[] faultWeights;

    SimFaults(Simulation sim) {
        this.sim = sim;
    }

    private Fault nextFault() {
        if (faultWeights == null) {
            faultWeights = new int[Fault.values().length];
            for (int i = 0; i < faultWeights.length; i++) {
                int w = sim.rnd.nextInt(11);
                faultWeights[i] = w * w;
            }
        }
        int total = Math.max(1, Arrays.stream(faultWeights).sum());
        int r = sim.rnd.nextInt(total);
        for (Fault f : Fault.values()) {
            r -= faultWeights[f.ordinal()];
            if (r < 0) {
                return f;
            }
        }
        return Fault.HEAL;
    }

    /** One fault, then the next one scheduled, while the chaos phase lasts. */
    void fault() {
        if (!sim.chaos) {
            return;
        }
        switch (nextFault()) {
            case CRASH -> crashSome(false);
            case CRASH_LEADER -> crashSome(true);
            case PAUSE -> pauseSome();
            case RESTART -> restartSome();
            case SPLIT -> partition(0);
            case ONE_WAY -> partition(1);
            case ISOLATE_LEADER -> partition(2);
            case RING -> partition(3);
            case HEAL -> heal();
            case MEMBERSHIP -> changeMembership();
            case TRANSFER -> transfer();
            case LOSSY -> sim.network.dropRate = sim.rnd.nextDouble() * 0.08;
            case QUIET -> sim.clients.quietUntil = sim.now + 200 + sim.rnd.nextInt(800);
            case SOCKET_RESET -> socketReset();
        }
        sim.schedule(30 + sim.rnd.nextInt(250), this::fault);
    }

    private void crashSome(boolean leader) {
        long down = sim.nodes.values().stream().filter(n -> !n.up).count();
        if (down > Quorum.faultTolerance(sim.initial.voterIds().size())) {
            return;
        }
        SimNode victim = leader ? sim.nodes.get(sim.currentLeader()) : sim.pick(sim.upList());
        if (victim != null) {
            sim.crash(victim);
        }
    }

    private void pauseSome() {
        SimNode n = sim.rnd.nextBoolean() ? sim.nodes.get(sim.currentLeader()) : sim.pick(sim.upList());
        if (n == null || !n.up || sim.now < n.pausedUntil) {
            return;
        }
        long until = sim.now + 50 + sim.rnd.nextInt(1000);
        n.pausedUntil = until;
        sim.count("pauses");
        sim.note("pause node " + n.id + " until", until, null);
        long t = sim.adapter.leaderTerm(n.engine);
        if (t >= 0 && t == sim.currentLeaderTerm()) {
            sim.leaderLost(n.id, t);
            sim.schedule(until - sim.now, () -> {
                if (sim.failoverSince >= 0 && sim.failoverLeader == n.id && n.up
                        && sim.adapter.leaderTerm(n.engine) == sim.failoverLostTerm) {
                    sim.failoverSince = -1; // it woke up still leading: nobody had taken over
                }
            });
        }
    }

    /**
     * A wrong hint: a connection between two live nodes broke (a reset, a proxy restart), so one of them hears
     * that the other is unreachable although it is not. Often the leader, since that hint is the one that acts.
     */
    private void socketReset() {
        SimNode n = sim.pick(sim.upList());
        SimNode other = sim.pick(sim.upList());
        long leader = sim.currentLeader();
        long peer = leader != 0 && sim.rnd.nextBoolean() ? leader : other == null ? 0 : other.id;
        if (n == null || peer == 0 || peer == n.id) {
            return;
        }
        sim.count("socket_resets");
        sim.note("socket reset, wrong hint at node " + n.id + " about live", peer, null);
        n.engine.peerUnreachable(peer);
        sim.touched(n);
    }

    private void restartSome() {
        SimNode n = sim.pick(sim.nodes.values().stream().filter(x -> !x.up).toList());
        if (n != null) {
            sim.startNode(n);
        }
    }

    private void partition(int kind) {
        List<Long> ids = new ArrayList<>(sim.nodes.keySet());
        sim.shuffle(ids);
        if (kind != 1) {
            sim.network.healAll();
        }
        switch (kind) {
            case 0 -> { // symmetric split
                int k = 1 + sim.rnd.nextInt(Math.max(1, ids.size() / 2));
                Set<Long> side = new HashSet<>(ids.subList(0, k));
                for (long a : ids) {
                    for (long b : ids) {
                        if (side.contains(a) != side.contains(b)) {
                            sim.network.cut(a, b);
                        }
                    }
                }
            }
            case 1 -> { // one-way
                if (ids.size() >= 2) {
                    sim.network.cut(ids.get(0), ids.get(1));
                }
            }
            case 2 -> { // isolate the leader
                long l = sim.currentLeader();
                if (l != 0) {
                    for (long b : ids) {
                        if (b != l) {
                            sim.network.cut(l, b);
                            sim.network.cut(b, l);
                        }
                    }
                }
            }
            default -> { // a ring: each node hears only its two neighbours
                int size = ids.size();
                for (int i = 0; i < size; i++) {
                    for (int j = 0; j < size; j++) {
                        int d = Math.abs(i - j);
                        if (i != j && d != 1 && d != size - 1) {
                            sim.network.cut(ids.get(i), ids.get(j));
                        }
                    }
                }
            }
        }
        sim.note("partition " + List.of("split", "one-way", "isolate-leader", "ring").get(kind),
                "blocked " + sim.network.cutLinks(), null);
        long l = sim.currentLeader();
        if (l != 0) {
            ConsensusNode leader = sim.nodes.get(l).engine;
            List<Long> voters = leader.membership().voterIds();
            List<Long> reachable = new ArrayList<>();
            for (long v : voters) {
                SimNode n = sim.nodes.get(v);
                if (v == l || (n != null && n.up && !sim.network.isBlocked(l, v) && !sim.network.isBlocked(v, l))) {
                    reachable.add(v);
                }
            }
            if (!Quorum.isMajority(voters, reachable)) {
                sim.leaderLost(l, sim.adapter.leaderTerm(leader));
            }
        }
    }

    private void heal() {
        sim.note("heal", null, null);
        sim.network.healAll();
        if (sim.failoverSince >= 0) {
            SimNode old = sim.nodes.get(sim.failoverLeader);
            if (old.up && sim.adapter.leaderTerm(old.engine) == sim.failoverLostTerm) {
                sim.failoverSince = -1; // healed before anyone noticed: no failover happened
            }
        }
    }

    private void changeMembership() {
        long l = sim.currentLeader();
        if (l == 0) {
            return;
        }
        SimNode leader = sim.nodes.get(l);
        Membership m = leader.engine.membership();
        List<Member> nonVoters = m.members().stream().filter(x -> !x.kind().votes()).toList();
        List<Long> voters = m.voterIds();
        MembershipChange change = null;
        int r = sim.rnd.nextInt(10);
        if (!nonVoters.isEmpty() && r < 5) {
            change = new MembershipChange(MembershipChange.Type.PROMOTE, sim.pick(nonVoters).id(), "");
        } else if (voters.size() < 5 && sim.nextNodeId <= MAX_NODE_ID && r < 8) {
            long id = sim.nextNodeId++;
            SimNode fresh = new SimNode(id);
            sim.nodes.put(id, fresh);
            sim.startNode(fresh);
            change = new MembershipChange(sim.adapter.addNonVoter(), id, "sim-" + id);
        } else if (voters.size() > 3) {
            change = new MembershipChange(MembershipChange.Type.REMOVE, sim.pick(voters), "");
        } else if (!nonVoters.isEmpty()) {
            change = new MembershipChange(MembershipChange.Type.REMOVE, sim.pick(nonVoters).id(), "");
        }
        if (change != null) {
            try {
                sim.note("membership", change, "at leader " + l);
                if (leader.engine.proposeMembership(change).accepted()) {
                    sim.count("config_" + change.type().name().toLowerCase(Locale.ROOT));
                }
            } catch (IllegalArgumentException refused) {
                // the simulator's guess was out of date; a real operator would re-read the configuration
            }
            sim.touched(leader);
        }
    }

    private void transfer() {
        long l = sim.currentLeader();
        if (l == 0) {
            return;
        }
        SimNode leader = sim.nodes.get(l);
        List<Long> voters = leader.engine.membership().voterIds();
        long target = sim.rnd.nextBoolean() ? 0 : sim.pick(voters);
        sim.note("transfer from " + l + " to", target == 0 ? "most caught-up" : target, null);
        if (leader.engine.transferLeadership(target)) {
            sim.count("transfers_started");
        }
        sim.touched(leader);
    }
}
