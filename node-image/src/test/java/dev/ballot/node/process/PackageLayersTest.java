package dev.ballot.node.process;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * The node's packages depend downwards only: the composition root ({@code process}) knows them all, the
 * command line knows it, and nothing below the HTTP layer knows HTTP.
 */
class PackageLayersTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.ballot.node");

    @Test
    void packagesDependDownwardsOnly() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("cli").definedBy("dev.ballot.node.cli..")
                .layer("demo").definedBy("dev.ballot.node.demo..")
                .layer("process").definedBy("dev.ballot.node.process..")
                .layer("http").definedBy("dev.ballot.node.http..")
                .layer("metrics").definedBy("dev.ballot.node.metrics..")
                .layer("server").definedBy("dev.ballot.node.server..")
                .layer("storage").definedBy("dev.ballot.node.storage..")
                .layer("transport").definedBy("dev.ballot.node.transport..")
                .layer("config").definedBy("dev.ballot.node.config..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("demo").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("process").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("http").mayOnlyBeAccessedByLayers("process")
                .whereLayer("metrics").mayOnlyBeAccessedByLayers("http", "process")
                .whereLayer("server").mayOnlyBeAccessedByLayers("http", "metrics", "process", "cli")
                .whereLayer("storage").mayOnlyBeAccessedByLayers("server", "process", "cli")
                .whereLayer("transport").mayOnlyBeAccessedByLayers("process")
                .check(MAIN);
    }
}
