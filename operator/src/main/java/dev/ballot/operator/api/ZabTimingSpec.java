package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** ZAB timing with ZooKeeper's meaning. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ZabTimingSpec {
    @Default("2000")
    @Min(10)
    @Max(60000)
    @JsonPropertyDescription("Basic time unit in milliseconds for heartbeats and timeouts (ZooKeeper tickTime), 10-60000.")
    public Integer tickTime;

    @Default("10")
    @Min(1)
    @Max(10000)
    @JsonPropertyDescription("Ticks a follower may take to connect and sync to the leader at startup.")
    public Integer initLimit;

    @Default("5")
    @Min(1)
    @Max(10000)
    @JsonPropertyDescription("Ticks a follower may lag behind the leader before it is dropped.")
    public Integer syncLimit;

    public ZabTimingSpec() {
    }

    public ZabTimingSpec(Integer tickTime, Integer initLimit, Integer syncLimit) {
        this.tickTime = tickTime;
        this.initLimit = initLimit;
        this.syncLimit = syncLimit;
    }
}
