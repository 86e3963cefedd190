package dev.ballot.node.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** jetcd 0.8.5, etcd's Java client, against three Ballot Raft nodes: KV, Txn, revisions, compaction, Watch, Lease. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ClientTally.class)
@Timeout(120)
class JetcdTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    EtcdCluster cluster;
    Client client;

    @BeforeAll
    void start() throws Exception {
        cluster = new EtcdCluster(work);
        client = Client.builder().endpoints(cluster.endpoints()).build();
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static String str(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    static <T> T get(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        return f.get(15, TimeUnit.SECONDS);
    }

    @Test
    void putGetRangeDeleteWithRevisionsVersionsAndOptions() throws Exception {
        KV kv = client.getKVClient();
        PutResponse p1 = get(kv.put(bs("kv/a"), bs("1")));
        PutResponse p2 = get(kv.put(bs("kv/a"), bs("2"), PutOption.builder().withPrevKV().build()));
        assertThat(p2.hasPrevKv()).isTrue();
        assertThat(str(p2.getPrevKv().getValue())).isEqualTo("1");
        assertThat(p2.getHeader().getRevision()).isEqualTo(p1.getHeader().getRevision() + 1);
        get(kv.put(bs("kv/b"), bs("3")));
        get(kv.put(bs("kv/c"), bs("4")));
        get(kv.put(bs("kw"), bs("outside")));

        KeyValue a = get(kv.get(bs("kv/a"))).getKvs().get(0);
        assertThat(a.getVersion()).isEqualTo(2);
        assertThat(a.getCreateRevision()).isEqualTo(p1.getHeader().getRevision());
        assertThat(a.getModRevision()).isEqualTo(p2.getHeader().getRevision());

        GetResponse prefix = get(kv.get(bs("kv/"), GetOption.builder().isPrefix(true).build()));
        assertThat(prefix.getKvs()).extracting(k -> str(k.getKey())).containsExactly("kv/a", "kv/b", "kv/c");
        GetResponse limited = get(kv.get(bs("kv/"), GetOption.builder().isPrefix(true).withLimit(2).build()));
        assertThat(limited.getKvs()).hasSize(2);
        assertThat(limited.isMore()).isTrue();
        assertThat(limited.getCount()).isEqualTo(3);
        GetResponse desc = get(kv.get(bs("kv/"), GetOption.builder().isPrefix(true)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.DESCEND).build()));
        assertThat(desc.getKvs()).extracting(k -> str(k.getKey())).containsExactly("kv/c", "kv/b", "kv/a");
        GetResponse countOnly = get(kv.get(bs("kv/"), GetOption.builder().isPrefix(true).withCountOnly(true).build()));
        assertThat(countOnly.getCount()).isEqualTo(3);
        assertThat(countOnly.getKvs()).isEmpty();
        GetResponse keysOnly = get(kv.get(bs("kv/a"), GetOption.builder().withKeysOnly(true).build()));
        assertThat(keysOnly.getKvs().get(0).getValue().isEmpty()).isTrue();
        GetResponse old = get(kv.get(bs("kv/a"), GetOption.builder().withRevision(p1.getHeader().getRevision()).build()));
        assertThat(str(old.getKvs().get(0).getValue())).isEqualTo("1");
        GetResponse serializable = get(kv.get(bs("kv/a"), GetOption.builder().withSerializable(true).build()));
        assertThat(serializable.getKvs()).isNotEmpty();

        var deleted = get(kv.delete(bs("kv/"), DeleteOption.builder().isPrefix(true).withPrevKV(true).build()));
        assertThat(deleted.getDeleted()).isEqualTo(3);
        assertThat(deleted.getPrevKvs()).extracting(k -> str(k.getValue())).containsExactly("2", "3", "4");
        assertThat(get(kv.get(bs("kv/"), GetOption.builder().isPrefix(true).build())).getKvs()).isEmpty();
        assertThat(get(kv.get(bs("kw"))).getKvs()).hasSize(1);
    }

    @Test
    void txnComparesOnValueVersionCreateAndModRevision() throws Exception {
        KV kv = client.getKVClient();
        ByteSequence k = bs("txn/k");
        TxnResponse create = get(kv.txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(k, bs("v1"), PutOption.DEFAULT)).Else(Op.get(k, GetOption.DEFAULT)).commit());
        assertThat(create.isSucceeded()).isTrue();
        long rev = create.getHeader().getRevision();
        TxnResponse again = get(kv.txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(k, bs("v2"), PutOption.DEFAULT)).Else(Op.get(k, GetOption.DEFAULT)).commit());
        assertThat(again.isSucceeded()).isFalse();
        assertThat(str(again.getGetResponses().get(0).getKvs().get(0).getValue())).isEqualTo("v1");
        assertThat(get(kv.txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(rev)),
                        new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(rev)),
                        new Cmp(k, Cmp.Op.EQUAL, CmpTarget.value(bs("v1"))))
                .Then(Op.put(k, bs("v2"), PutOption.DEFAULT)).commit()).isSucceeded()).isTrue();
        assertThat(get(kv.txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(rev)))
                .Then(Op.put(k, bs("v3"), PutOption.DEFAULT)).commit()).isSucceeded()).isFalse();
        assertThat(get(kv.txn().If(new Cmp(k, Cmp.Op.GREATER, CmpTarget.version(1)),
                        new Cmp(k, Cmp.Op.LESS, CmpTarget.modRevision(rev + 100)))
                .Then(Op.delete(k, DeleteOption.DEFAULT)).commit()).isSucceeded()).isTrue();
        assertThat(get(kv.get(k)).getKvs()).isEmpty();
    }

    @Test
    void compactionRefusesOldRevisionsWithEtcdsError() throws Exception {
        KV kv = client.getKVClient();
        long r1 = get(kv.put(bs("cmp/k"), bs("1"))).getHeader().getRevision();
        long r2 = get(kv.put(bs("cmp/k"), bs("2"))).getHeader().getRevision();
        get(kv.put(bs("cmp/k"), bs("3")));
        get(kv.compact(r2));
        assertThatThrownBy(() -> get(kv.get(bs("cmp/k"), GetOption.builder().withRevision(r1).build())))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("etcdserver: mvcc: required revision has been compacted");
        assertThat(str(get(kv.get(bs("cmp/k"), GetOption.builder().withRevision(r2).build())).getKvs().get(0).getValue()))
                .isEqualTo("2");

        AtomicReference<Throwable> watchError = new AtomicReference<>();
        try (Watch.Watcher w = client.getWatchClient().watch(bs("cmp/k"), WatchOption.builder().withRevision(r1).build(),
                Watch.listener(resp -> { }, watchError::set))) {
            await().atMost(Duration.ofSeconds(10)).untilAtomic(watchError, org.hamcrest.Matchers.notNullValue());
        }
        assertThat(watchError.get()).hasMessageContaining("compacted");
    }

    @Test
    void watchDeliversPutsAndDeletesWithPrevKvFromAStartRevisionAndLive() throws Exception {
        KV kv = client.getKVClient();
        long start = get(kv.put(bs("w/a"), bs("1"))).getHeader().getRevision();
        get(kv.put(bs("w/a"), bs("2")));
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        try (Watch.Watcher w = client.getWatchClient().watch(bs("w/"),
                WatchOption.builder().isPrefix(true).withPrevKV(true).withRevision(start).build(),
                Watch.listener(resp -> events.addAll(resp.getEvents())))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 2);
            get(kv.delete(bs("w/a")));
            get(kv.put(bs("x/outside"), bs("ignored")));
            get(kv.put(bs("w/b"), bs("3")));
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 4);
        }
        assertThat(events).extracting(WatchEvent::getEventType).containsExactly(WatchEvent.EventType.PUT,
                WatchEvent.EventType.PUT, WatchEvent.EventType.DELETE, WatchEvent.EventType.PUT);
        assertThat(str(events.get(1).getPrevKV().getValue())).isEqualTo("1");
        assertThat(str(events.get(2).getPrevKV().getValue())).isEqualTo("2");
        assertThat(events).extracting(e -> e.getKeyValue().getModRevision()).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void electionHasOneLeaderAtATimeAndLockExcludes() throws Exception {
        var lease = client.getLeaseClient();
        var election = client.getElectionClient();
        long la = get(lease.grant(30)).getID();
        long lb = get(lease.grant(30)).getID();
        var a = get(election.campaign(bs("el"), la, bs("a")));
        assertThat(str(get(election.leader(bs("el"))).getKv().getValue())).isEqualTo("a");
        var bCampaign = election.campaign(bs("el"), lb, bs("b"));
        // b waits behind a: one round trip through the cluster later it is still waiting
        get(client.getKVClient().put(bs("el-sync"), bs("x")));
        assertThat(bCampaign).isNotDone();
        get(election.proclaim(a.getLeader(), bs("a2")));
        assertThat(str(get(election.leader(bs("el"))).getKv().getValue())).isEqualTo("a2");
        get(election.resign(a.getLeader()));
        var b = bCampaign.get(10, TimeUnit.SECONDS);
        assertThat(str(get(election.leader(bs("el"))).getKv().getValue())).isEqualTo("b");
        assertThatThrownBy(() -> get(election.proclaim(a.getLeader(), bs("stale"))))
                .hasMessageContaining("election: not leader");
        get(election.resign(b.getLeader()));
        assertThatThrownBy(() -> get(election.leader(bs("el")))).hasMessageContaining("election: no leader");

        var lock = client.getLockClient();
        var held = get(lock.lock(bs("lk"), la));
        var second = lock.lock(bs("lk"), lb);
        get(client.getKVClient().put(bs("lk-sync"), bs("x")));
        assertThat(second).isNotDone();
        get(lock.unlock(held.getKey()));
        var next = second.get(10, TimeUnit.SECONDS);
        assertThat(str(next.getKey())).isEqualTo("lk/" + Long.toHexString(lb));
        get(lock.unlock(next.getKey()));
        get(lease.revoke(la));
        get(lease.revoke(lb));
    }

    @Test
    void leasesGrantAttachTimeToLiveRevokeAndExpire() throws Exception {
        var lease = client.getLeaseClient();
        KV kv = client.getKVClient();
        long id = get(lease.grant(30)).getID();
        get(kv.put(bs("lease/a"), bs("1"), PutOption.builder().withLeaseId(id).build()));
        LeaseTimeToLiveResponse ttl = get(lease.timeToLive(id, LeaseOption.builder().withAttachedKeys().build()));
        assertThat(ttl.getGrantedTTL()).isEqualTo(30);
        assertThat(ttl.getTTL()).isBetween(1L, 30L);
        assertThat(ttl.getKeys()).extracting(JetcdTest::str).containsExactly("lease/a");
        assertThat(get(kv.get(bs("lease/a"))).getKvs().get(0).getLease()).isEqualTo(id);
        get(lease.revoke(id));
        assertThat(get(kv.get(bs("lease/a"))).getKvs()).isEmpty();
        assertThatThrownBy(() -> get(lease.revoke(id))).hasMessageContaining("etcdserver: requested lease not found");
        assertThatThrownBy(() -> get(kv.put(bs("lease/b"), bs("1"), PutOption.builder().withLeaseId(id).build())))
                .hasMessageContaining("etcdserver: requested lease not found");

        long shortLived = get(lease.grant(2)).getID();
        get(kv.put(bs("lease/short"), bs("1"), PutOption.builder().withLeaseId(shortLived).build()));
        await("the leader expires the lease and its key").atMost(Duration.ofSeconds(10))
                .until(() -> get(kv.get(bs("lease/short"))).getKvs().isEmpty());
        assertThat(get(lease.timeToLive(shortLived, LeaseOption.DEFAULT)).getTTL()).isEqualTo(-1);
    }
}
