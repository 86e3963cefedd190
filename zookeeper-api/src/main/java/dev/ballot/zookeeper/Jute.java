package dev.ballot.zookeeper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;

/** Jute records to and from bytes (ZooKeeper's own binary archive). */
public final class Jute {
    private Jute() {
    }

    public static byte[] bytes(Record... records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        BinaryOutputArchive a = BinaryOutputArchive.getArchive(out);
        try {
            for (Record r : records) {
                r.serialize(a, "r");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    public static <T extends Record> T read(byte[] bytes, T record) throws IOException {
        record.deserialize(archive(bytes), "r");
        return record;
    }

    public static BinaryInputArchive archive(byte[] bytes) {
        return BinaryInputArchive.getArchive(new DataInputStream(new ByteArrayInputStream(bytes)));
    }
}
