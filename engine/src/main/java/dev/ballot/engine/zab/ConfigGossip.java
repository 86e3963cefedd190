package dev.ballot.engine.zab;

import dev.ballot.engine.Membership;
import dev.ballot.engine.zab.ZabMessage.Notification;

/**
 * Whether a LOOKING server takes the configuration a notification carries, as ZooKeeper's FastLeaderElection does
 * since dynamic reconfiguration (3.5): a server whose configuration is older than a working ensemble's would otherwise
 * count votes among voters that no longer exist and look forever. That is what a member re-added empty after a
 * quorum-loss recovery meets: its static configuration still lists the lost voters, while the member kept leads a
 * configuration of itself (docs/engine.md, "Configurations in notifications").
 *
 * <p>Only a strictly newer configuration is taken, and only from a server that is LEADING or FOLLOWING (a working
 * ensemble's, not another looker's guess), that our own configuration knows, and whose configuration is coherent with
 * its own notification: the sender votes in it, a LEADING sender names itself, and the leader it names votes in it.
 * ZooKeeper takes any newer version; the coherence checks keep a confused or stale peer's notification from moving
 * us. Pure.
 */
final class ConfigGossip {
    private ConfigGossip() {
    }

    /** Why {@code m}'s configuration is not taken by a server in {@code state} holding {@code mine}; null to take it. */
    static String refusal(ServerState state, long myVersion, Membership mine, Notification m) {
        if (state != ServerState.LOOKING) {
            return "not looking: a server in an ensemble keeps the configuration its leader gives it";
        }
        if (m.config() == null) {
            return "the notification carries no configuration";
        }
        if (m.state() != ServerState.LEADING && m.state() != ServerState.FOLLOWING) {
            return "the sender is " + m.state() + ", not part of a working ensemble";
        }
        if (m.configVersion() <= myVersion) {
            return "version " + Zxid.hex(m.configVersion()) + " is not newer than ours (" + Zxid.hex(myVersion) + ")";
        }
        if (!mine.contains(m.from())) {
            return "the sender " + m.from() + " is not in our configuration";
        }
        if (!m.config().isVoter(m.from())) {
            return "the sender " + m.from() + " does not vote in the configuration it sent";
        }
        if (m.state() == ServerState.LEADING && m.leader() != m.from()) {
            return "a LEADING sender names another leader (" + m.leader() + ")";
        }
        if (!m.config().isVoter(m.leader())) {
            return "the leader it names (" + m.leader() + ") does not vote in the configuration it sent";
        }
        if (m.config().equals(mine)) {
            return "the same configuration as ours";
        }
        return null;
    }
}
