package dev.ballot.nemesis;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The clients' operations on the shared keys, one JSON object a line (JSONL), so that a failing run's history can
 * be kept and checked again ({@code ReplayHistoryTest}). Times are nanoseconds from the run's start.
 *
 * <p>{@code outcome}: {@code ok} (the answer is known: for a CAS also when it failed its comparison, {@code ok=false}
 * with the {@code value} found), {@code fail} (the error contract says it was not applied: docs/node-api.md) or
 * {@code info} (outcome unknown: it may take effect at any time after its invocation; {@code complete} is then
 * {@link Long#MAX_VALUE}). Failed operations are kept in the file for the record but have no effect.
 */
final class History {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One operation. {@code f}: {@code write} (value), {@code cas} (expect -> value; {@code casOk} says whether it
     * matched, {@code found} the value it found when it did not) or {@code read} ({@code value} read, null: absent).
     */
    record Op(int process, String f, String key, String expect, String value, Boolean casOk, String found,
              long invoke, long complete, String outcome, String error) {
        boolean ok() {
            return outcome.equals("ok");
        }

        boolean unknown() {
            return outcome.equals("info");
        }

        boolean failed() {
            return outcome.equals("fail");
        }
    }

    private final List<Op> ops = Collections.synchronizedList(new ArrayList<>());

    void add(Op op) {
        ops.add(op);
    }

    List<Op> ops() {
        synchronized (ops) {
            return List.copyOf(ops);
        }
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Op op : ops()) {
                w.write(JSON.writeValueAsString(op));
                w.newLine();
            }
        }
    }

    static List<Op> read(Path file) throws IOException {
        List<Op> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(JSON.readValue(line, Op.class));
            }
        }
        return out;
    }
}
