package dev.ballot.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortTest {
    @ParameterizedTest
    @CsvSource({
            "192.168.1.3:2380, 192.168.1.3, 2380",
            "ec-raft-0.ec-raft-peers.default.svc:2380, ec-raft-0.ec-raft-peers.default.svc, 2380",
            "[::1]:2379, ::1, 2379",
            "localhost:1, localhost, 1"})
    void parsesHostAndPort(String text, String host, int port) {
        HostPort hp = HostPort.parse(text);
        assertThat(hp).isEqualTo(new HostPort(host, port));
        assertThat(HostPort.parse(hp.toString())).isEqualTo(hp);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "192.168.1.3|'192.168.1.3' has no port",
            "host:0|has port 0, outside 1-65535",
            "host:http|port 'http' that is not a number",
            ":2380|has no host",
            "::1:2380|more than one ':'",
            "bad_host!:80|invalid host 'bad_host!'",
            "300.1.1.1:80|invalid host '300.1.1.1'",
            "http://a:80|has a scheme",
            "[::1:80|without ']'"})
    void refusesWithAClearMessage(String text, String message) {
        assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
