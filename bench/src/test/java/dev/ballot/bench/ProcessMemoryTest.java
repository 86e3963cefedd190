package dev.ballot.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessMemoryTest {
    @Test
    void readsTheKibOfTheNamedLine() {
        List<String> status = List.of("Name:\tjava", "VmPeak:\t 3000000 kB", "VmRSS:\t   81234 kB", "RssAnon:\t 60000 kB");
        assertThat(ProcessMemory.parse(status, "VmRSS:")).hasValue(81234);
        assertThat(ProcessMemory.parse(List.of("Rss:  90000 kB", "Pss:  70000 kB"), "Pss:")).hasValue(70000);
        assertThat(ProcessMemory.parse(status, "Pss:")).isEmpty();
    }

    @Test
    void thisProcessHasAResidentSetOnLinux() {
        if (!System.getProperty("os.name").startsWith("Linux")) {
            return; // /proc is Linux's
        }
        assertThat(ProcessMemory.rssKiB(ProcessHandle.current().pid()).orElseThrow()).isGreaterThan(1024);
        assertThat(ProcessMemory.threads(ProcessHandle.current().pid()).orElseThrow()).isGreaterThan(1);
        assertThat(ProcessMemory.rssKiB(Long.MAX_VALUE)).isEmpty();
    }
}
