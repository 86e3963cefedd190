package dev.ballot.node.server;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterIdentityTest {
    private static final UUID U1 = UUID.fromString("00000000-0000-0000-0000-000000000001");
    private static final UUID U2 = UUID.fromString("00000000-0000-0000-0000-000000000002");

    @Test
    void theFirstUuidWinsAndLaterOnesChangeNothing() {
        ClusterIdentity id = ClusterIdentity.NONE.apply(5, ClusterIdentity.setUuid(1, U1));
        assertThat(id).isEqualTo(new ClusterIdentity(U1, 5, Set.of()));
        assertThat(id.apply(9, ClusterIdentity.setUuid(2, U2))).isEqualTo(id);
    }

    @Test
    void membersAreMarkedJoinedOnlyUnderTheCurrentUuid() {
        ClusterIdentity id = ClusterIdentity.NONE.apply(5, ClusterIdentity.setUuid(1, U1))
                .apply(6, ClusterIdentity.markJoined(2, U1, 3))
                .apply(7, ClusterIdentity.markJoined(3, U2, 4)) // a stale mark from another identity
                .apply(8, ClusterIdentity.markJoined(4, U1, 1));
        assertThat(id.joined()).containsExactlyInAnyOrder(1L, 3L);
        assertThat(ClusterIdentity.NONE.apply(6, ClusterIdentity.markJoined(2, U1, 3))).isEqualTo(ClusterIdentity.NONE);
    }

    @Test
    void aForcedNewIdentityKeepsOnlyTheKeptMember() {
        ClusterIdentity id = new ClusterIdentity(U1, 5, Set.of(1L, 2L, 3L)).apply(40, ClusterIdentity.forceNew(9, U2, 2));
        assertThat(id).isEqualTo(new ClusterIdentity(U2, 40, Set.of(2L)));
    }

    @Test
    void otherMachinesCommandsAreNotIdentityCommandsAndChangeNothing() {
        byte[] kvPut = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
        byte[] etcd = {(byte) 0xE3, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        byte[] zk = "Z\u0001whatever".getBytes(StandardCharsets.ISO_8859_1);
        for (byte[] c : new byte[][] {kvPut, etcd, zk, new byte[0], null}) {
            assertThat(ClusterIdentity.isCommand(c)).isFalse();
        }
        byte[] truncated = {(byte) 0xB1, 1, 0, 0, 0, 0, 0, 0, 0, 7, 1, 2};
        assertThat(ClusterIdentity.NONE.apply(3, truncated)).isEqualTo(ClusterIdentity.NONE);
        assertThat(ClusterIdentity.requestId(ClusterIdentity.setUuid(77, U1))).isEqualTo(77);
    }

    @Test
    void aSnapshotCarriesTheIdentityAheadOfTheMachinesBytes() {
        ClusterIdentity id = new ClusterIdentity(U1, 5, Set.of(1L, 2L));
        byte[] machine = "machine".getBytes(StandardCharsets.UTF_8);
        IdentityEnvelope.Parts parts = IdentityEnvelope.unwrap(IdentityEnvelope.wrap(id, machine));
        assertThat(parts.identity()).isEqualTo(id);
        assertThat(parts.machine()).isEqualTo(machine);
        IdentityEnvelope.Parts none = IdentityEnvelope.unwrap(IdentityEnvelope.wrap(ClusterIdentity.NONE, new byte[0]));
        assertThat(none.identity()).isEqualTo(ClusterIdentity.NONE);
        assertThat(none.machine()).isEmpty();
    }

    @Test
    void aSnapshotWithoutTheEnvelopeIsTheMachinesAloneWithNoIdentity() {
        byte[] legacy = "an older snapshot or a backup".getBytes(StandardCharsets.UTF_8);
        IdentityEnvelope.Parts parts = IdentityEnvelope.unwrap(legacy);
        assertThat(parts.identity()).isEqualTo(ClusterIdentity.NONE);
        assertThat(parts.machine()).isSameAs(legacy);
    }

    @Test
    void aDamagedEnvelopeIsRefusedRatherThanReadAsAnotherIdentity() {
        byte[] whole = IdentityEnvelope.wrap(new ClusterIdentity(U1, 5, Set.of(1L)), new byte[] {1, 2});
        whole[9] = 0x7f; // the identity's length
        assertThatThrownBy(() -> IdentityEnvelope.unwrap(whole)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("identity header");
    }
}
