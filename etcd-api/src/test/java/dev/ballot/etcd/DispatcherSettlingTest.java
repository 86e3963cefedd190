package dev.ballot.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The transactions behind Lock and Election (campaign, proclaim, resign) when this node loses leadership while one
 * waits: settled as plain writes are, not failed with "leader changed". One real state machine; the backend plays a
 * leader of term 1 whose proposal fails with LEADER_CHANGED after (or without) reaching the log, then a successor's
 * entry of term 2 is applied.
 */
class DispatcherSettlingTest {
    @ParameterizedTest(name = "applied before the leader was lost: {0}")
    @ValueSource(booleans = {true, false})
    void aLockOrElectionTxnInFlightAtALeaderChangeIsSettled(boolean applied) {
        LosingLeader backend = new LosingLeader(applied);
        Dispatcher dispatcher = new Dispatcher(backend, new Headers(backend));
        // an election's "create my key if absent" transaction (Recipes.acquire's shape)
        TxnRequest txn = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(b("election/1")).setTarget(Compare.CompareTarget.CREATE)
                        .setCreateRevision(0))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("election/1"))
                        .setValue(b("candidate"))))
                .build();

        CompletableFuture<TxnResponse> answer = dispatcher.txnHere(txn);
        assertThat(answer).as("nothing is answered before the successor's entry is applied").isNotDone();
        backend.successorCommits();

        if (applied) {
            assertThat(answer.join().getSucceeded()).as("the transaction that reached the log is answered").isTrue();
        } else {
            assertThat(answer).isCompletedExceptionally();
            Throwable cause = catchCause(answer);
            assertThat(((EtcdError.Failure) cause).error())
                    .as("not applied, so NOT_LEADER: the dispatcher retries it on the new leader")
                    .isEqualTo(EtcdError.NOT_LEADER);
        }
        dispatcher.close();
    }

    @Test
    void aFailureOtherThanLeaderChangedIsPassedOn() {
        LosingLeader backend = new LosingLeader(false);
        backend.failWith = EtcdError.TOO_MANY_REQUESTS;
        Dispatcher dispatcher = new Dispatcher(backend, new Headers(backend));
        CompletableFuture<TxnResponse> answer = dispatcher.txnHere(TxnRequest.getDefaultInstance());
        assertThat(((EtcdError.Failure) catchCause(answer)).error()).isEqualTo(EtcdError.TOO_MANY_REQUESTS);
        dispatcher.close();
    }

    private static Throwable catchCause(CompletableFuture<?> f) {
        try {
            f.join();
            throw new AssertionError("expected a failure");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    /** A leader of term 1 that loses leadership during its proposal; term 2's leader is member 2. */
    private static final class LosingLeader extends StateMachineBackend {
        final boolean applyBeforeFailing;
        EtcdError failWith = EtcdError.LEADER_CHANGED;
        long term = 1;

        LosingLeader(boolean applyBeforeFailing) {
            this.applyBeforeFailing = applyBeforeFailing;
        }

        void successorCommits() {
            sm.apply(new LogEntry(++index, 2, EntryType.NOOP, null));
        }

        @Override
        public CompletableFuture<EtcdResult> propose(EtcdCommand command) {
            if (applyBeforeFailing) {
                sm.apply(new LogEntry(++index, 1, EntryType.COMMAND, command.encode()));
            }
            term = 2; // the successor's term, as this node sees it when its proposal fails
            return CompletableFuture.failedFuture(failWith.failure());
        }

        @Override
        public long term() {
            return term;
        }

        @Override
        public long leaderId() {
            return term == 1 ? 1 : 2;
        }
    }
}
