package dev.ballot.zookeeper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.proto.CheckVersionRequest;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.ErrorResponse;
import org.apache.zookeeper.proto.GetChildrenRequest;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.MultiHeader;
import org.apache.zookeeper.proto.SetACLRequest;
import org.apache.zookeeper.proto.SetDataRequest;

/** A multi's wire form (ZooKeeper's MultiOperationRecord / MultiResponse): headers and records until a done header. */
final class MultiCodec {
    /** One operation of a multi. */
    record Op(int type, Record request) {
    }

    /** One result: the op type (or {@link OpCode#ERROR}) with its response record, or an error code. */
    record Result(int type, int err, Record response) {
    }

    private MultiCodec() {
    }

    static List<Op> readOps(byte[] body) throws IOException {
        BinaryInputArchive a = Jute.archive(body);
        List<Op> ops = new ArrayList<>();
        while (true) {
            MultiHeader h = new MultiHeader();
            h.deserialize(a, "header");
            if (h.getDone()) {
                return ops;
            }
            Record r = switch (h.getType()) {
                case OpCode.GET_CHILDREN -> new GetChildrenRequest();
                case OpCode.GET_DATA -> new GetDataRequest();
                case OpCode.SET_ACL -> throw new IOException("setACL is not an op of a multi");
                default -> {
                    Record w = writeRequest(h.getType());
                    if (w == null) {
                        throw new IOException("unsupported op type " + h.getType() + " in a multi");
                    }
                    yield w;
                }
            };
            r.deserialize(a, "op");
            ops.add(new Op(h.getType(), r));
        }
    }

    /** The empty request record of a write op type (the log's txn bodies and a multi's ops), null for others. */
    static Record writeRequest(int type) {
        return switch (type) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER -> new CreateRequest();
            case OpCode.CREATE_TTL -> new CreateTTLRequest();
            case OpCode.DELETE, OpCode.DELETE_CONTAINER -> new DeleteRequest();
            case OpCode.SET_DATA -> new SetDataRequest();
            case OpCode.SET_ACL -> new SetACLRequest();
            case OpCode.CHECK -> new CheckVersionRequest();
            default -> null;
        };
    }

    static byte[] writeResults(List<Result> results) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryOutputArchive a = BinaryOutputArchive.getArchive(out);
        try {
            for (Result r : results) {
                new MultiHeader(r.type(), false, r.type() == OpCode.ERROR ? r.err() : 0).serialize(a, "header");
                if (r.type() == OpCode.ERROR) {
                    new ErrorResponse(r.err()).serialize(a, "response");
                } else if (r.response() != null) {
                    r.response().serialize(a, "response");
                }
            }
            new MultiHeader(-1, true, -1).serialize(a, "header");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] writeOps(List<Op> ops) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryOutputArchive a = BinaryOutputArchive.getArchive(out);
        try {
            for (Op op : ops) {
                new MultiHeader(op.type(), false, -1).serialize(a, "header");
                op.request().serialize(a, "op");
            }
            new MultiHeader(-1, true, -1).serialize(a, "header");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
