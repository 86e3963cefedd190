package dev.ballot.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The one-screen status and the action progress, from ElectionClusters as the API server returns them. */
class StatusScreenTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-06T12:10:00Z");

    static JsonNode cluster() throws Exception {
        return JSON.readTree("""
                {"apiVersion": "ballot.dev/v1alpha1", "kind": "ElectionCluster",
                 "metadata": {"name": "raft-3", "namespace": "prod", "generation": 4},
                 "spec": {"protocol": "Raft", "replicas": 3},
                 "status": {"observedGeneration": 4, "phase": "Updating", "leader": "raft-3-1", "term": 7,
                  "leaderSince": "2026-12-06T12:00:00Z", "leaderChanges": 3,
                  "members": [
                   {"name": "raft-3-0", "role": "follower", "voter": true, "ready": true, "reachable": true, "lag": 0,
                    "lastContactMs": 12, "revision": "abc"},
                   {"name": "raft-3-1", "role": "leader", "voter": true, "ready": true, "reachable": true, "lag": 0,
                    "revision": "abc"},
                   {"name": "raft-3-2", "role": "unknown", "voter": true, "ready": false, "reachable": false,
                    "revision": "def", "message": "unreachable: connect refused"}],
                  "quorum": {"voters": 3, "healthy": 2, "required": 2, "faultTolerance": 0},
                  "rollout": {"step": "restart raft-3-2", "blockedBy": "waiting for raft-3-2 to be ready"},
                  "conditions": [
                   {"type": "Ready", "status": "False", "reason": "MembersNotReady",
                    "lastTransitionTime": "2026-12-06T12:09:30Z", "message": "2/3 voters healthy"}],
                  "actions": [
                   {"name": "restart-member", "target": "raft-3-2", "requestId": "kb-1", "phase": "Running",
                    "reason": "Restarting", "message": "waiting for raft-3-2 to come back (new pod not ready)",
                    "acceptedAt": "2026-12-06T12:09:00Z"},
                   {"name": "transfer-leadership", "target": "raft-3-1", "requestId": "kb-0", "phase": "Done",
                    "reason": "LeadershipMoved", "message": "raft-3-1 leads in term 7",
                    "finishedAt": "2026-12-06T12:00:00Z"}]}}
                """);
    }

    @Test
    void everythingOnOneScreen() throws Exception {
        assertThat(StatusScreen.render(cluster(), NOW)).isEqualTo("""
                raft-3 in prod: Raft, Updating
                Leader:   raft-3-1 in term 7, since 2026-12-06T12:00:00Z (10m ago); 3 leader changes seen
                Quorum:   2/3 voters healthy, 2 required, fault tolerance 0
                Rollout:  next: restart raft-3-2 (waiting: waiting for raft-3-2 to be ready)

                MEMBER    ROLE      VOTER  READY  LAG  CONTACT  REVISION  MESSAGE
                raft-3-0  follower  yes    yes    0    12ms     abc
                raft-3-1  leader    yes    yes    0    -        abc
                raft-3-2  unknown   yes    no     -    -        def       unreachable: connect refused

                CONDITION  STATUS  REASON           SINCE    MESSAGE
                Ready      False   MembersNotReady  30s ago  2/3 voters healthy

                ACTION               TARGET    PHASE    REASON           REQUEST  FINISHED  MESSAGE
                restart-member       raft-3-2  Running  Restarting       kb-1     -         waiting for raft-3-2 to come back (new pod not ready)
                transfer-leadership  raft-3-1  Done     LeadershipMoved  kb-0     10m ago   raft-3-1 leads in term 7
                """);
    }

    @Test
    void aNewClusterWithoutStatusSaysSo() throws Exception {
        JsonNode fresh = JSON.readTree("""
                {"metadata": {"name": "zab-5", "namespace": "dev", "generation": 1}, "spec": {"protocol": "Zab"}}
                """);
        assertThat(StatusScreen.render(fresh, NOW)).isEqualTo("""
                zab-5 in dev: Zab, no status yet
                Leader:   none
                Rollout:  nothing to do

                No one-off actions requested.
                """);
    }

    @Test
    void aStatusBehindTheSpecIsFlagged() throws Exception {
        JsonNode c = cluster();
        ((com.fasterxml.jackson.databind.node.ObjectNode) c.path("metadata")).put("generation", 5);
        assertThat(StatusScreen.render(c, NOW)).startsWith(
                "raft-3 in prod: Raft, Updating (status is for generation 4, spec is at 5)\n");
    }

    @Test
    void progressPrintsEachChangeOnceAndEndsWithTheExitCode() throws Exception {
        ActionProgress p = new ActionProgress("restart-member", "kb-1");
        JsonNode none = JSON.readTree("{\"status\": {\"actions\": [{\"name\": \"restart-member\","
                + " \"requestId\": \"kb-0\", \"phase\": \"Done\"}]}}");
        assertThat(p.update(none)).isEqualTo("waiting for the operator to acknowledge request kb-1");
        assertThat(p.update(none)).isNull();
        assertThat(p.outcome(none)).as("another request's answer is not this one's").isNull();
        assertThat(p.update(cluster())).isEqualTo(
                "Running (Restarting): waiting for raft-3-2 to come back (new pod not ready)");
        assertThat(p.outcome(cluster())).isNull();
        JsonNode refused = JSON.readTree("{\"status\": {\"actions\": [{\"name\": \"restart-member\","
                + " \"requestId\": \"kb-1\", \"phase\": \"Refused\", \"reason\": \"QuorumAtRisk\","
                + " \"message\": \"raft-3-0 is not healthy\"}]}}");
        assertThat(p.update(refused)).isEqualTo("Refused (QuorumAtRisk): raft-3-0 is not healthy");
        assertThat(p.outcome(refused)).isEqualTo(ExitCode.REFUSED);
    }

    @Test
    void exitCodesOfPhases() {
        assertThat(ExitCode.ofPhase("Done").code).isEqualTo(0);
        assertThat(ExitCode.ofPhase("Refused").code).isEqualTo(2);
        assertThat(ExitCode.ofPhase("Failed").code).isEqualTo(3);
        assertThat(ExitCode.ofPhase("Running")).isNull();
        assertThat(ExitCode.ofPhase("Accepted")).isNull();
    }

    @Test
    void aBadCommandLineExits64WithUsage() {
        StringWriter err = new StringWriter();
        int code = KubectlBallot.run(new String[] {"restart", "raft-3"}, new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertThat(code).isEqualTo(64);
        assertThat(err.toString()).contains("Missing required parameter: 'MEMBER'");
        assertThat(KubectlBallot.duration("90s")).hasSeconds(90);
        assertThat(KubectlBallot.duration("6m")).hasMinutes(6);
    }

    @Test
    void eachActionKeepsItsOwnTimeoutDefaultAndTheSharedClusterParameter() {
        picocli.CommandLine cli = new picocli.CommandLine(new KubectlBallot());
        picocli.CommandLine restart = cli.getSubcommands().get("restart");
        picocli.CommandLine transfer = cli.getSubcommands().get("transfer-leadership");
        assertThat(restart.getUsageMessage()).contains("CLUSTER").contains("MEMBER").contains("(default 6m)");
        assertThat(transfer.getUsageMessage()).contains("CLUSTER").contains("(default 60s)");

        cli.parseArgs("restart", "raft-3", "raft-3-1");
        KubectlBallot.Restart r = restart.getCommand();
        assertThat(r.cluster).isEqualTo("raft-3");
        assertThat(r.target()).isEqualTo("raft-3-1");
        assertThat(r.timeout).isEqualTo("6m");

        cli.parseArgs("transfer-leadership", "zab-5", "--timeout", "2m");
        KubectlBallot.TransferLeadership t = transfer.getCommand();
        assertThat(t.cluster).isEqualTo("zab-5");
        assertThat(t.target()).isEqualTo("any");
        assertThat(t.timeout).isEqualTo("2m");
    }

    @Test
    void replaceAndBackupAreSubcommandsWithTheirOwnTimeouts() {
        picocli.CommandLine cli = new picocli.CommandLine(new KubectlBallot());
        picocli.CommandLine replace = cli.getSubcommands().get("replace");
        picocli.CommandLine backup = cli.getSubcommands().get("backup");
        assertThat(replace.getUsageMessage()).contains("CLUSTER").contains("MEMBER").contains("(default 12m)");
        assertThat(backup.getUsageMessage()).contains("CLUSTER").contains("(default 10m)");
        cli.parseArgs("replace", "raft-3", "raft-3-2");
        KubectlBallot.Replace r = replace.getCommand();
        assertThat(r.annotations("kb-1")).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "ballot.dev/replace-member", "raft-3-2", "ballot.dev/replace-member-id", "kb-1"));
        cli.parseArgs("backup", "raft-3");
        KubectlBallot.Backup b = backup.getCommand();
        assertThat(b.annotations("kb-2")).containsExactlyEntriesOf(java.util.Map.of("ballot.dev/backup-now", "kb-2"));
    }

    @Test
    void backupRefusesAClusterWithoutSpecBackup() throws Exception {
        KubectlBallot.Backup b = new KubectlBallot.Backup();
        assertThat(b.refusal(JSON.readTree("{\"metadata\": {\"name\": \"raft-3\"}, \"spec\": {}}")))
                .isEqualTo("ElectionCluster raft-3 has no spec.backup, so the operator takes no backup of it: add"
                        + " spec.backup (docs/operator.md, Backups)");
        assertThat(b.refusal(JSON.readTree("{\"spec\": {\"backup\": {\"s3\": {}}}}"))).isNull();
    }

    private static JsonNode backup(String fields) throws Exception {
        return JSON.readTree("{\"status\": {\"backup\": {" + fields + "}}}");
    }

    @Test
    void backupWaitsForItsOwnRequestThenReportsTheNewSuccess() throws Exception {
        JsonNode before = backup("\"lastSuccessTime\": \"2026-12-06T11:00:00Z\", \"lastRequest\": \"old\"");
        BackupProgress p = new BackupProgress("kb-1", before);
        assertThat(p.update(before)).isEqualTo("waiting for the operator to take up request kb-1");
        assertThat(p.outcome(before)).isNull();
        // A scheduled backup runs first; its success is not ours.
        JsonNode scheduled = backup("\"lastSuccessTime\": \"2026-12-06T11:00:00Z\", \"lastRequest\": \"old\","
                + " \"runningSince\": \"2026-12-06T12:00:00Z\"");
        assertThat(p.update(scheduled)).isEqualTo("waiting for the operator to take up request kb-1 (a backup"
                + " started at 2026-12-06T12:00:00Z runs first)");
        JsonNode scheduledDone = backup("\"lastSuccessTime\": \"2026-12-06T12:00:01Z\", \"lastRequest\": \"old\"");
        assertThat(p.outcome(scheduledDone)).isNull();
        JsonNode running = backup("\"lastSuccessTime\": \"2026-12-06T12:00:01Z\", \"lastRequest\": \"kb-1\","
                + " \"runningSince\": \"2026-12-06T12:00:02Z\"");
        assertThat(p.update(running)).isEqualTo("Running: backup since 2026-12-06T12:00:02Z");
        assertThat(p.outcome(running)).isNull();
        JsonNode done = backup("\"lastSuccessTime\": \"2026-12-06T12:00:03Z\", \"lastRequest\": \"kb-1\","
                + " \"lastObject\": \"p/ns/raft-3/x.snap\", \"lastSize\": 1200, \"lastIndex\": 45,"
                + " \"lastTerm\": 3, \"lastDurationMs\": 180");
        assertThat(p.update(done)).isEqualTo("Done: p/ns/raft-3/x.snap (1200 bytes, index 45, term 3, 180 ms)");
        assertThat(p.outcome(done)).isEqualTo(ExitCode.OK);
        assertThat(p.update(done)).as("printed once").isNull();

        BackupProgress again = new BackupProgress("kb-1", done);
        assertThat(again.outcome(done)).as("the same request id again: its answer").isEqualTo(ExitCode.OK);
    }

    @Test
    void aBackupThatFailedExits3AndARetentionErrorDoesNotFailIt() throws Exception {
        JsonNode before = backup("\"lastSuccessTime\": \"2026-12-06T11:00:00Z\"");
        BackupProgress p = new BackupProgress("kb-2", before);
        JsonNode failed = backup("\"lastSuccessTime\": \"2026-12-06T11:00:00Z\", \"lastRequest\": \"kb-2\","
                + " \"lastError\": \"the bucket does not exist\", \"lastErrorTime\": \"2026-12-06T12:00:05Z\"");
        assertThat(p.outcome(failed)).isEqualTo(ExitCode.FAILED);
        assertThat(p.update(failed)).isEqualTo("Failed: the bucket does not exist");

        BackupProgress q = new BackupProgress("kb-3", before);
        JsonNode retention = backup("\"lastSuccessTime\": \"2026-12-06T12:00:03Z\", \"lastRequest\": \"kb-3\","
                + " \"lastError\": \"retention: access denied\", \"lastErrorTime\": \"2026-12-06T12:00:03Z\"");
        assertThat(q.outcome(retention)).isEqualTo(ExitCode.OK);
        assertThat(q.update(retention)).endsWith("; retention: retention: access denied");
    }
}
