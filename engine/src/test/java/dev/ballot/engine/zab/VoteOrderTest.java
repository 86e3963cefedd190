package dev.ballot.engine.zab;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class VoteOrderTest {
    @ParameterizedTest(name = "({0},{1},{2}) vs ({3},{4},{5}) designated={6} -> {7}")
    @CsvSource({
            // cand leader, zxid, epoch | current leader, zxid, epoch | designated | candidate wins
            "1, 5, 2,   3, 9, 1,  0, true",   // higher epoch wins even with a lower zxid and id
            "3, 9, 1,   1, 5, 2,  0, false",
            "1, 9, 2,   3, 5, 2,  0, true",   // same epoch: higher zxid wins over higher id
            "3, 5, 2,   1, 9, 2,  0, false",
            "3, 5, 2,   1, 5, 2,  0, true",   // tie on epoch and zxid: higher server id
            "1, 5, 2,   3, 5, 2,  0, false",
            "2, 5, 2,   2, 5, 2,  0, false",  // the same vote does not beat itself
            "1, 5, 2,   3, 5, 2,  1, true",   // a transfer target wins the id tie-break
            "3, 5, 2,   1, 5, 2,  1, false",
            "1, 4, 2,   3, 5, 2,  1, false",  // ...but never a lower zxid
            "1, 5, 1,   3, 5, 2,  1, false",  // ...nor a lower epoch
    })
    void totalOrder(long cl, long cz, long ce, long ul, long uz, long ue, long designated, boolean wins) {
        assertThat(Vote.beats(new Vote(cl, cz, ce), new Vote(ul, uz, ue), designated, false)).isEqualTo(wins);
    }

    @ParameterizedTest
    @CsvSource({
            "3, 1, 2,   1, 9, 2, true",   // the mutant ignores zxid and lets the higher id win
            "1, 9, 2,   3, 1, 2, false",
    })
    void mutantIgnoresZxid(long cl, long cz, long ce, long ul, long uz, long ue, boolean wins) {
        assertThat(Vote.beats(new Vote(cl, cz, ce), new Vote(ul, uz, ue), 0, true)).isEqualTo(wins);
    }
}
