package dev.ballot.node.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations as the seed writes them: {@code 150ms}, {@code 1.5s}, {@code 1m30s}. */
final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|m|h))+");

    private Durations() {
    }

    static Duration parse(Setting s) throws ConfigException {
        String text = s.value().trim();
        if (text.matches("\\d+(\\.\\d+)?")) {
            throw s.error("'" + text + "' has no unit", "write a duration with a unit, e.g. \"" + text + "ms\"");
        }
        if (text.startsWith("-")) {
            throw s.error("'" + text + "' is negative", "write a positive duration, e.g. \"150ms\"");
        }
        if (!WHOLE.matcher(text).matches()) {
            throw s.error("'" + text + "' is not a duration",
                    "write a number and a unit (ns, us, ms, s, m, h), e.g. \"150ms\" or \"1.5s\"");
        }
        Matcher m = PART.matcher(text);
        BigDecimal nanos = BigDecimal.ZERO;
        while (m.find()) {
            BigDecimal n = new BigDecimal(m.group(1));
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos = nanos.add(n.multiply(BigDecimal.valueOf(unit)));
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
            throw s.error("'" + text + "' is too long", "write a duration under a day, e.g. \"300ms\"");
        }
        Duration d = Duration.ofNanos(nanos.longValue());
        if (d.isZero()) {
            throw s.error("'" + text + "' is zero", "write a positive duration, e.g. \"150ms\"");
        }
        return d;
    }

    static String format(Duration d) {
        if (d.toNanos() % 1_000_000 == 0) {
            return d.toMillis() + "ms";
        }
        return d.toNanos() + "ns";
    }
}
