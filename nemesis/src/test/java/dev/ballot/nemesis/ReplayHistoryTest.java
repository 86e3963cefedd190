package dev.ballot.nemesis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks a kept history again: {@code mvn -B -o -pl nemesis -am test -Dtest=ReplayHistoryTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dnemesis.history=<dir>/history.jsonl}. Prints the verdict and, when not
 * linearizable, the key and its operations.
 */
class ReplayHistoryTest {
    @Test
    @EnabledIfSystemProperty(named = "nemesis.history", matches = ".+")
    void checksAKeptHistory() throws Exception {
        Path file = Path.of(System.getProperty("nemesis.history"));
        var ops = History.read(file);
        RegisterChecker.Result r = RegisterChecker.check(ops, Long.getLong("nemesis.budget", RegisterChecker.DEFAULT_BUDGET));
        System.out.println("replay " + file + ": ops=" + ops.size() + " verdict=" + r.verdict() + " " + r.detail());
        assertThat(r.verdict()).as(r.detail()).isEqualTo(RegisterChecker.Verdict.LINEARIZABLE);
    }
}
