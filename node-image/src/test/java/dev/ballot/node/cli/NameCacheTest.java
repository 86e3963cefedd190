package dev.ballot.node.cli;

import org.junit.jupiter.api.Test;

import java.security.Security;

import static org.assertj.core.api.Assertions.assertThat;

class NameCacheTest {
    @Test
    void aReCreatedPodsNewAddressIsSeenWithinSecondsNotTheJvmDefaultThirty() {
        NameCache.shorten();
        assertThat(Integer.parseInt(Security.getProperty("networkaddress.cache.ttl"))).isBetween(1, 5);
        assertThat(Integer.parseInt(Security.getProperty("networkaddress.cache.negative.ttl"))).isBetween(0, 2);
    }
}
