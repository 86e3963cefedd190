package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Raft timing as Go-style duration strings (150ms, 1s). */
@JsonInclude(JsonInclude.Include.NON_NULL)
// The same rules as the node's config loader (docs/node-config.md): one 10 ms tick is the resolution.
@ValidationRule(value = "duration(self.electionTimeoutMin) + duration('10ms') <= duration(self.electionTimeoutMax)",
        message = "spec.raft.electionTimeoutMin must be at least 10ms (one tick) below spec.raft.electionTimeoutMax"
                + " so timeouts can be randomized: raise the max (e.g. min 150ms, max 300ms)")
@ValidationRule(value = "duration(self.heartbeatInterval).getMilliseconds() * 3"
        + " <= duration(self.electionTimeoutMin).getMilliseconds()",
        message = "spec.raft.heartbeatInterval must be at most a third of spec.raft.electionTimeoutMin so followers"
                + " hear the leader before they time out: lower the heartbeat (e.g. 50ms for a 150ms minimum)")
@ValidationRule(value = "duration(self.heartbeatInterval) >= duration('10ms')",
        message = "spec.raft.heartbeatInterval must be at least 10ms, the node's tick: raise it")
@ValidationRule(value = "duration(self.electionTimeoutMax) <= duration('60s')",
        message = "spec.raft.electionTimeoutMax must be at most 60s: lower it")
public class RaftTimingSpec {
    public static final String DURATION_PATTERN = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";

    @Default("150ms")
    @Pattern(DURATION_PATTERN)
    @Size(max = 32)
    @JsonPropertyDescription("Lower bound of the randomized election timeout, a duration such as 150ms.")
    public String electionTimeoutMin;

    @Default("300ms")
    @Pattern(DURATION_PATTERN)
    @Size(max = 32)
    @JsonPropertyDescription("Upper bound of the randomized election timeout; at least 10ms above electionTimeoutMin, at most 60s.")
    public String electionTimeoutMax;

    @Default("50ms")
    @Pattern(DURATION_PATTERN)
    @Size(max = 32)
    @JsonPropertyDescription("How often the leader sends heartbeats; at least 10ms and at most a third of electionTimeoutMin.")
    public String heartbeatInterval;

    public RaftTimingSpec() {
    }

    public RaftTimingSpec(String min, String max, String heartbeat) {
        this.electionTimeoutMin = min;
        this.electionTimeoutMax = max;
        this.heartbeatInterval = heartbeat;
    }
}
