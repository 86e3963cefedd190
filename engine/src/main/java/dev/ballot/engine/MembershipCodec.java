package dev.ballot.engine;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The payload of a CONFIG entry and of a snapshot's membership: a count, then (id, kind, address) per member. */
public final class MembershipCodec {
    private static final int MAX_MEMBERS = 1024;
    private static final int MAX_ADDRESS_BYTES = 1024;

    private MembershipCodec() {
    }

    public static byte[] encode(Membership membership) {
        List<Member> members = membership.members();
        List<byte[]> addresses = new ArrayList<>();
        int size = 4;
        for (Member m : members) {
            byte[] address = m.address().getBytes(StandardCharsets.UTF_8);
            addresses.add(address);
            size += 8 + 1 + 4 + address.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putInt(members.size());
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            buf.putLong(m.id());
            buf.put((byte) m.kind().ordinal());
            buf.putInt(addresses.get(i).length);
            buf.put(addresses.get(i));
        }
        return buf.array();
    }

    public static Membership decode(byte[] bytes) throws MalformedMessageException {
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            int count = buf.getInt();
            if (count < 0 || count > MAX_MEMBERS) {
                throw new MalformedMessageException("membership count out of range: " + count);
            }
            List<Member> members = new ArrayList<>(count);
            MemberKind[] kinds = MemberKind.values();
            for (int i = 0; i < count; i++) {
                long id = buf.getLong();
                int kind = buf.get();
                int len = buf.getInt();
                if (kind < 0 || kind >= kinds.length || len < 0 || len > MAX_ADDRESS_BYTES || id <= 0) {
                    throw new MalformedMessageException("bad member record at position " + i);
                }
                byte[] address = new byte[len];
                buf.get(address);
                members.add(new Member(id, kinds[kind], new String(address, StandardCharsets.UTF_8)));
            }
            if (buf.hasRemaining()) {
                throw new MalformedMessageException("trailing bytes after membership");
            }
            return Membership.of(members);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new MalformedMessageException("truncated or invalid membership: " + e.getMessage());
        }
    }
}
