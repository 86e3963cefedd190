package dev.ballot.engine;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The engine is pure: no I/O, threads, clocks or unseeded randomness, so the simulator can replay it exactly. */
class ArchitectureTest {
    private static final JavaClasses ENGINE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.ballot.engine");

    @Test
    void theEngineWasImported() {
        org.assertj.core.api.Assertions.assertThat(ENGINE.contain("dev.ballot.engine.raft.RaftNode")).isTrue();
        org.assertj.core.api.Assertions.assertThat(ENGINE.contain("dev.ballot.engine.sim.Simulation")).isTrue();
    }

    @Test
    void noIoThreadsOrConcurrency() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.ballot.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.net..", "java.nio.file..",
                        "java.nio.channels..", "java.util.concurrent..")
                .orShould().dependOnClassesThat().areAssignableTo(Thread.class)
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .because("the engine must be deterministic and free of I/O; time is ticks, randomness is RandomSource");
        rule.check(ENGINE);
    }

    @Test
    void noClocksOrUnseededRandomness() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.ballot.engine..")
                .should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(Math.class, "random")
                .orShould().callMethod(UUID.class, "randomUUID")
                .orShould().callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
                        com.tngtech.archunit.base.DescribedPredicate.describe("java.time now()",
                                t -> t.getName().equals("now") && t.getOwner().getPackageName().startsWith("java.time"))))
                .because("the simulator replays a seed exactly only if nothing reads the real clock");
        rule.check(ENGINE);
    }
}
