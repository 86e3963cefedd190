package dev.ballot.node.storage;

import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.PersistedState;
import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link StorageCrashTest}: appends batches of entries 1, 2, 3, ... forever and prints
 * {@code ACK <last index>} after each persist returns, until it is killed.
 * Args: data dir, batch size, segment bytes.
 */
public final class StorageCrashChild {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int batch = Integer.parseInt(args[1]);
        long segmentBytes = Long.parseLong(args[2]);
        try (FileNodeStorage storage = FileNodeStorage.open(dir, "crash", 1, null, segmentBytes)) {
            PersistedState st = storage.load();
            long next = st.entries().isEmpty() ? 1 : st.entries().get(st.entries().size() - 1).index() + 1;
            System.out.println("START " + (next - 1));
            System.out.flush();
            while (true) {
                List<LogEntry> entries = Readies.entries(next, next + batch - 1, 1);
                long last = next + batch - 1;
                storage.persist(Readies.append(entries, new HardState(1, 1, last, 0)));
                System.out.println("ACK " + last);
                System.out.flush();
                next = last + 1;
            }
        }
    }
}
