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

    @Test
    void largestMappingsNameWhereThisProcessIsResident() {
        if (!System.getProperty("os.name").startsWith("Linux")) {
            return;
        }
        List<String> lines = ProcessMemory.largestMappings(ProcessHandle.current().pid(), 5);
        assertThat(lines.get(0)).startsWith("status RssAnon=").doesNotContain("=-1");
        assertThat(lines).hasSize(6).anyMatch(l -> l.endsWith(" [anon]")).anyMatch(l -> l.contains("libjvm.so"));
        long first = Long.parseLong(lines.get(1).replaceAll("^rss_kib=(\\d+) .*", "$1"));
        long last = Long.parseLong(lines.get(5).replaceAll("^rss_kib=(\\d+) .*", "$1"));
        assertThat(first).isGreaterThanOrEqualTo(last); // largest first
        assertThat(ProcessMemory.largestMappings(Long.MAX_VALUE, 5)).singleElement().asString().startsWith("failed: ");
    }
}
