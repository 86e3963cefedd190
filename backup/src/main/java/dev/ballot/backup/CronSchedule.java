package dev.ballot.backup;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;

/**
 * A standard five-field cron expression ({@code minute hour day-of-month month day-of-week}), evaluated in UTC, as a
 * Kubernetes CronJob's: {@code *}, {@code a}, {@code a-b}, {@code * /n} and {@code a-b/n}, comma lists, day-of-week 0-7
 * (0 and 7 are Sunday), month and day names ({@code jan}, {@code mon}), and the macros {@code @hourly},
 * {@code @daily}/{@code @midnight}, {@code @weekly}, {@code @monthly}, {@code @yearly}/{@code @annually}. When both
 * day-of-month and day-of-week are restricted, a day matching either runs (cron's rule). Pure; table-tested.
 */
public final class CronSchedule {
    private static final Map<String, String> MACROS = Map.of("@hourly", "0 * * * *", "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *", "@weekly", "0 0 * * 0", "@monthly", "0 0 1 * *", "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *");
    private static final String[] MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    private static final String[] DAYS = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    /** Beyond this a schedule that never fires (e.g. 30 February) is reported, not searched for ever. */
    private static final int SEARCH_YEARS = 5;

    private final String expression;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean domRestricted;
    private final boolean dowRestricted;

    private CronSchedule(String expression, BitSet minutes, BitSet hours, BitSet daysOfMonth, BitSet months,
                         BitSet daysOfWeek, boolean domRestricted, boolean dowRestricted) {
        this.expression = expression;
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
        this.domRestricted = domRestricted;
        this.dowRestricted = dowRestricted;
    }

    /** @throws IllegalArgumentException naming the bad field and what it accepts */
    public static CronSchedule parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("the schedule is empty: give a cron expression such as \"0 * * * *\" (hourly)");
        }
        String expr = expression.trim().toLowerCase(Locale.ROOT);
        expr = MACROS.getOrDefault(expr, expr);
        if (expr.startsWith("@")) {
            throw new IllegalArgumentException("unknown macro '" + expression.trim() + "': use one of " + MACROS.keySet()
                    + " or five fields");
        }
        String[] f = expr.split("\\s+");
        if (f.length != 5) {
            throw new IllegalArgumentException("'" + expression.trim() + "' has " + f.length + " fields; a cron expression"
                    + " has five: minute hour day-of-month month day-of-week (e.g. \"30 2 * * *\": daily at 02:30 UTC)");
        }
        BitSet dow = field(f[4], "day-of-week", 0, 7, DAYS, 0);
        if (dow.get(7)) {
            dow.set(0);
            dow.clear(7);
        }
        return new CronSchedule(expression.trim(), field(f[0], "minute", 0, 59, null, 0), field(f[1], "hour", 0, 23, null, 0),
                field(f[2], "day-of-month", 1, 31, null, 0), field(f[3], "month", 1, 12, MONTHS, 1), dow,
                !f[2].equals("*"), !f[4].equals("*"));
    }

    private static BitSet field(String text, String name, int min, int max, String[] names, int nameBase) {
        BitSet out = new BitSet(max + 1);
        for (String part : text.split(",")) {
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), name, 1, max, null, 0, part);
            }
            int lo;
            int hi;
            if (range.equals("*")) {
                lo = min;
                hi = max;
            } else if (range.contains("-")) {
                String[] ab = range.split("-", 2);
                lo = number(ab[0], name, min, max, names, nameBase, part);
                hi = number(ab[1], name, min, max, names, nameBase, part);
                if (hi < lo) {
                    throw bad(name, part, "the range runs backwards; write it low-high");
                }
            } else {
                lo = number(range, name, min, max, names, nameBase, part);
                hi = slash >= 0 ? max : lo;
            }
            for (int v = lo; v <= hi; v += step) {
                out.set(v);
            }
        }
        return out;
    }

    private static int number(String s, String name, int min, int max, String[] names, int nameBase, String part) {
        if (names != null) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(s)) {
                    return i + nameBase;
                }
            }
        }
        int v;
        try {
            v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw bad(name, part, "'" + s + "' is not a number" + (names == null ? "" : " or a name (" + names[0] + "...)"));
        }
        if (v < min || v > max) {
            throw bad(name, part, v + " is outside " + min + "-" + max);
        }
        return v;
    }

    private static IllegalArgumentException bad(String field, String part, String why) {
        return new IllegalArgumentException("the cron " + field + " field '" + part + "' is invalid: " + why);
    }

    /** The first time strictly after {@code after} (whole minutes, UTC) at which the schedule fires. */
    public Instant next(Instant after) {
        LocalDateTime t = LocalDateTime.ofInstant(after, ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        LocalDateTime limit = t.plusYears(SEARCH_YEARS);
        while (t.isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).toLocalDate().plusMonths(1).atStartOfDay();
            } else if (!dayMatches(t)) {
                t = t.toLocalDate().plusDays(1).atStartOfDay();
            } else if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                return t.toInstant(ZoneOffset.UTC);
            }
        }
        throw new IllegalArgumentException("the schedule '" + expression + "' never fires (checked " + SEARCH_YEARS
                + " years ahead): fix the day-of-month and month fields");
    }

    private boolean dayMatches(LocalDateTime t) {
        boolean dom = daysOfMonth.get(t.getDayOfMonth());
        boolean dow = daysOfWeek.get(t.getDayOfWeek().getValue() % 7);
        if (domRestricted && dowRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    @Override
    public String toString() {
        return expression;
    }
}
