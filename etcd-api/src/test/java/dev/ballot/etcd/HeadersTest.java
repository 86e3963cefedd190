package dev.ballot.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.etcd.jetcd.api.CompactionResponse;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseRevokeResponse;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.StatusResponse;
import io.etcd.jetcd.api.TxnResponse;
import java.lang.reflect.Proxy;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every response the state machine gives, and one it does not (Maintenance.Status), gets etcd's full header: the
 * store's revision kept, cluster, member and term of the member that answers; the rest of the response unchanged.
 */
class HeadersTest {
    private static final ResponseHeader FROM_STORE = ResponseHeader.newBuilder().setRevision(42).build();
    private static final KeyValue KV = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("k")).build();

    static Stream<Message> responses() {
        return Stream.of(
                PutResponse.newBuilder().setHeader(FROM_STORE).setPrevKv(KV).build(),
                RangeResponse.newBuilder().setHeader(FROM_STORE).addKvs(KV).setCount(1).build(),
                DeleteRangeResponse.newBuilder().setHeader(FROM_STORE).setDeleted(1).build(),
                TxnResponse.newBuilder().setHeader(FROM_STORE).setSucceeded(true).build(),
                CompactionResponse.newBuilder().setHeader(FROM_STORE).build(),
                LeaseGrantResponse.newBuilder().setHeader(FROM_STORE).setID(9).setTTL(5).build(),
                LeaseRevokeResponse.newBuilder().setHeader(FROM_STORE).build(),
                StatusResponse.newBuilder().setHeader(FROM_STORE).setVersion("3.4").build());
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("responses")
    void theHeaderIsCompletedAndTheRestKept(Message fromStore) {
        Headers headers = new Headers(backend(7, 3, 11));

        Message stamped = headers.stamp(fromStore);

        assertThat(stamped.getClass()).isEqualTo(fromStore.getClass());
        ResponseHeader h = (ResponseHeader) stamped.getField(stamped.getDescriptorForType().findFieldByName("header"));
        assertThat(h.getRevision()).as("the store's revision").isEqualTo(42);
        assertThat(h.getClusterId()).isEqualTo(7);
        assertThat(h.getMemberId()).as("the member that answers").isEqualTo(3);
        assertThat(h.getRaftTerm()).isEqualTo(11);
        Message.Builder withoutHeader = stamped.toBuilder().clearField(stamped.getDescriptorForType().findFieldByName("header"));
        Message original = fromStore.toBuilder().clearField(fromStore.getDescriptorForType().findFieldByName("header")).build();
        assertThat(withoutHeader.build()).as("everything but the header unchanged").isEqualTo(original);
    }

    /** A backend that only knows who it is (all a header needs). */
    private static EtcdBackend backend(long clusterId, long memberId, long term) {
        return (EtcdBackend) Proxy.newProxyInstance(EtcdBackend.class.getClassLoader(), new Class<?>[] {EtcdBackend.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "clusterId" -> clusterId;
                    case "memberId" -> memberId;
                    case "term" -> term;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
