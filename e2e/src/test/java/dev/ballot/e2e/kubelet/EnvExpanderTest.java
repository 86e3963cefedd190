package dev.ballot.e2e.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvExpanderTest {
  private static final Map<String, String> VARS = Map.of("POD_IP", "127.0.1.7", "POD_NAME", "ec-raft-0", "EMPTY", "");

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "$(POD_IP):2380 | 127.0.1.7:2380",
      "$(POD_NAME).$(POD_NAME) | ec-raft-0.ec-raft-0",
      "$(MISSING):1 | $(MISSING):1",
      "$$(POD_IP) | $(POD_IP)",
      "a$$b | a$b",
      "x$(EMPTY)y | xy",
      "cost $5 | cost $5",
      "tail $ | tail $",
      "open $(POD_IP | open $(POD_IP",
      "plain | plain",
  })
  void expandsLikeTheKubelet(String input, String expected) {
    assertThat(EnvExpander.expand(input, VARS)).isEqualTo(expected);
  }
}
