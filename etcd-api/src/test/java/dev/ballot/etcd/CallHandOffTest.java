package dev.ballot.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A unary call reaches the backend (the driver's inbox in a node) on the gRPC transport's own thread, without a
 * hand-off to a call executor first: that hand-off cost every sequential write a thread wake-up in series with its
 * replication (docs/bench.md, "Where a sequential write's time goes"). A real server and a real gRPC client.
 */
class CallHandOffTest {
    @Test
    void aPutReachesTheBackendOnTheTransportThreadThatReadIt() throws Exception {
        RecordingLeader backend = new RecordingLeader();
        try (EtcdServer server = EtcdServer.start(backend, new InetSocketAddress("127.0.0.1", 0))) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try {
                PutResponse put = KVGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                                .setValue(ByteString.copyFromUtf8("v")).build());
                assertThat(put.getHeader().getRevision()).as("the put was applied and answered").isEqualTo(2);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        assertThat(backend.proposedOn)
                .as("the thread that handed the put to the backend: the transport's event loop, not a call executor's")
                .hasSize(1)
                .allMatch(name -> name.matches("grpc-.*worker-ELG-.*"), "a gRPC event-loop thread (grpc-*-worker-ELG-*)");
    }

    /** A single-member leader that applies each proposal to a real state machine at once, noting the thread. */
    private static final class RecordingLeader extends StateMachineBackend {
        final List<String> proposedOn = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public synchronized CompletableFuture<EtcdResult> propose(EtcdCommand command) {
            proposedOn.add(Thread.currentThread().getName());
            return CompletableFuture.completedFuture(sm.apply(new LogEntry(++index, 1, EntryType.COMMAND, command.encode())));
        }

        @Override
        public long term() {
            return 1;
        }

        @Override
        public long leaderId() {
            return 1;
        }
    }
}
