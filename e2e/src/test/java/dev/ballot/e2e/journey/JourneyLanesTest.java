package dev.ballot.e2e.journey;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JourneyLanesTest {
  /** A scenario that does whatever its body says (the journey's own bookkeeping is what is under test). */
  record Step(String name, Body body) implements Scenario {
    interface Body {
      void run(ScenarioResult r) throws Exception;
    }

    @Override
    public void run(JourneyContext ctx, ScenarioResult result) throws Exception {
      body.run(result);
    }
  }

  @Test
  void aBesideScenarioRunsWhileTheMainLaneGoesOnAndTheJoinWaitsForIt() {
    CountDownLatch besideStarted = new CountDownLatch(1);
    CountDownLatch mainWentOn = new CountDownLatch(1);
    JourneyContext ctx = new JourneyContext(null, null, null, "ns",
        Collections.synchronizedMap(new LinkedHashMap<>()), "run");
    Journey journey = new Journey(List.of(
        new Step("first", r -> { }),
        new Journey.Beside(new Step("beside", r -> {
          besideStarted.countDown();
          // passes only if the main lane's next scenario runs meanwhile (bounded: 30 s)
          r.check(mainWentOn.await(30, TimeUnit.SECONDS), "the main lane waited for the beside lane");
        })),
        new Step("main", r -> {
          r.check(besideStarted.await(30, TimeUnit.SECONDS), "the beside scenario never started");
          mainWentOn.countDown();
        }),
        new Journey.Join(),
        new Step("after-join", r -> r.check(ctx.results().containsKey("beside"), "ran before the beside lane ended"))));

    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    List<ScenarioResult> results = journey.run(ctx, new PrintStream(lines, true, StandardCharsets.UTF_8));

    assertThat(results).extracting(ScenarioResult::name)
        .containsExactlyInAnyOrder("first", "beside", "main", "after-join");
    assertThat(results).allMatch(ScenarioResult::passed, "every scenario passed");
    assertThat(results.get(results.size() - 1).name()).isEqualTo("after-join");
    assertThat(lines.toString(StandardCharsets.UTF_8).lines()).hasSize(4).allMatch(l -> l.contains("result=pass"));
  }

  @Test
  void aBesideScenarioThatFailsIsReportedAndTheJourneyStillEnds() {
    JourneyContext ctx = new JourneyContext(null, null, null, "ns",
        Collections.synchronizedMap(new LinkedHashMap<>()), "run");
    Journey journey = new Journey(List.of(
        new Journey.Beside(new Step("beside", r -> {
          throw new IllegalStateException("boom");
        })),
        new Step("main", r -> { })));

    List<ScenarioResult> results = journey.run(ctx, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8));

    assertThat(results).extracting(ScenarioResult::name).containsExactlyInAnyOrder("beside", "main");
    assertThat(results).filteredOn(r -> r.name().equals("beside")).singleElement()
        .satisfies(r -> assertThat(r.passed()).isFalse());
  }
}
