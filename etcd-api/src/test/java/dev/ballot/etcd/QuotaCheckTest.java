package dev.ballot.etcd;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The quota and NOSPACE decision, as etcd's quota check and capped applier make it. */
class QuotaCheckTest {
    @ParameterizedTest(name = "{0} growth {1} used {2} quota {3} alarm {4} -> {5}")
    @CsvSource({
        // kind,         growth, used, quota, alarm, decision
        "PUT,            10,     80,   100,   false, ALLOW",  // fits
        "PUT,            20,     80,   100,   false, ALLOW",  // exactly the quota
        "PUT,            21,     80,   100,   false, RAISE",  // passes it: refused, alarm raised
        "TXN,            21,     80,   100,   false, RAISE",
        "LEASE_GRANT,    1,      100,  100,   false, RAISE",
        "PUT,            1,      0,    100,   true,  REFUSE", // would fit, but the alarm stands
        "TXN,            1,      0,    100,   true,  REFUSE",
        "LEASE_GRANT,    1,      0,    100,   true,  REFUSE",
        "TXN,            0,      200,  100,   true,  ALLOW",  // a txn without puts
        "DELETE_RANGE,   0,      200,  100,   true,  ALLOW",
        "COMPACT,        0,      200,  100,   true,  ALLOW",
        "LEASE_REVOKE,   0,      200,  100,   true,  ALLOW",
        "LEASE_EXPIRE,   0,      200,  100,   true,  ALLOW",
        "ALARM,          0,      200,  100,   true,  ALLOW",  // disarm always goes through
        "PUT,            1000,   0,    9223372036854775807, false, ALLOW", // no quota
    })
    void decides(EtcdCommand.Kind kind, long growth, long used, long quota, boolean alarm, QuotaCheck expected) {
        assertThat(QuotaCheck.decide(kind, growth, used, quota, alarm)).isEqualTo(expected);
    }
}
