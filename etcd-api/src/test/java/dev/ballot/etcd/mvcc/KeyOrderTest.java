package dev.ballot.etcd.mvcc;

import com.google.protobuf.ByteString;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** MvccStore's key order is etcd's (unsigned bytes, shorter prefix first), the same as protobuf's comparator. */
class KeyOrderTest {
    @ParameterizedTest
    @CsvSource({
        "'', '', 0",
        "'', 00, -1",
        "61, 62, -1",
        "6162, 61, 1",
        "7f, 80, -1",
        "ff, 00, 1",
        "616263ff, 61626300, 1",
        "6b65792d3130, 6b65792d39, -1"})
    void ordersUnsignedBytesLexicographically(String left, String right, int sign) {
        ByteString a = ByteString.copyFrom(HexFormat.of().parseHex(left));
        ByteString b = ByteString.copyFrom(HexFormat.of().parseHex(right));
        assertThat(Integer.signum(MvccStore.compareKeys(a, b))).isEqualTo(sign);
        assertThat(Integer.signum(MvccStore.compareKeys(b, a))).isEqualTo(-sign);
        assertThat(Integer.signum(MvccStore.compareKeys(a, b)))
                .isEqualTo(Integer.signum(ByteString.unsignedLexicographicalComparator().compare(a, b)));
    }
}
