package dev.ballot.engine.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A history as text, one op a line, so that a failing history can be kept in a file and checked again later
 * ({@code LinearizabilityChecker.check(HistoryText.parse(text))}). Fields are separated by one tab:
 *
 * <pre>
 * # process  kind   key  expected  value  status  invoke  response
 * 1          write  x    \N        a      ok      0       10
 * 2          cas    x    a         b      info    5       ?
 * 3          read   x    \N        b      ok      20      25
 * </pre>
 *
 * {@code kind} is write, cas or read; {@code status} ok, fail or info; {@code \N} is null (absent, or no
 * expectation); the response of an info op is {@code ?}. In keys and values a backslash, tab, newline and carriage
 * return are written {@code \\ \t \n \r}. Blank lines and lines starting with {@code #} are skipped.
 */
public final class HistoryText {
    private static final String NULL = "\\N";

    private HistoryText() {
    }

    public static String format(List<KvOp> history) {
        StringBuilder out = new StringBuilder("# process\tkind\tkey\texpected\tvalue\tstatus\tinvoke\tresponse\n");
        for (KvOp op : history) {
            out.append(op.process()).append('\t').append(op.kind().name().toLowerCase(Locale.ROOT)).append('\t')
                    .append(escape(op.key())).append('\t').append(escape(op.expected())).append('\t')
                    .append(escape(op.value())).append('\t').append(op.status().name().toLowerCase(Locale.ROOT))
                    .append('\t').append(op.invoke()).append('\t')
                    .append(op.response() == KvOp.NEVER ? "?" : Long.toString(op.response())).append('\n');
        }
        return out.toString();
    }

    /** The ops of {@code text}; a malformed line is refused with its number, the field and what is allowed. */
    public static List<KvOp> parse(String text) {
        List<KvOp> ops = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            ops.add(parseLine(line, i + 1));
        }
        return ops;
    }

    private static KvOp parseLine(String line, int n) {
        String[] f = line.split("\t", -1);
        if (f.length != 8) {
            throw new IllegalArgumentException("history line " + n + ": expected 8 tab-separated fields (process, kind,"
                    + " key, expected, value, status, invoke, response), got " + f.length);
        }
        long process = number(f[0], "process", n);
        KvOp.Kind kind = choice(KvOp.Kind.class, f[1], "kind", n);
        String key = unescape(f[2], n);
        if (key == null) {
            throw new IllegalArgumentException("history line " + n + ": key must not be \\N");
        }
        KvOp.Status status = choice(KvOp.Status.class, f[5], "status", n);
        long invoke = number(f[6], "invoke", n);
        long response = "?".equals(f[7]) ? KvOp.NEVER : number(f[7], "response", n);
        if (response == KvOp.NEVER && status != KvOp.Status.INFO) {
            throw new IllegalArgumentException("history line " + n + ": response '?' is only for status info, got "
                    + f[5]);
        }
        try {
            return new KvOp(process, kind, key, unescape(f[3], n), unescape(f[4], n), status, invoke, response);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("history line " + n + ": " + e.getMessage(), e);
        }
    }

    private static long number(String s, String field, int n) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("history line " + n + ": " + field + " must be a whole number, got '" + s + "'");
        }
    }

    private static <E extends Enum<E>> E choice(Class<E> type, String s, String field, int n) {
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(s)) {
                return e;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            allowed.add(e.name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("history line " + n + ": " + field + " must be one of " + allowed + ", got '" + s + "'");
    }

    private static String escape(String s) {
        if (s == null) {
            return NULL;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String unescape(String s, int n) {
        if (NULL.equals(s)) {
            return null;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i == s.length()) {
                throw new IllegalArgumentException("history line " + n + ": a field ends in a lone backslash; write \\\\");
            }
            switch (s.charAt(i)) {
                case '\\' -> out.append('\\');
                case 't' -> out.append('\t');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                default -> throw new IllegalArgumentException("history line " + n + ": unknown escape \\" + s.charAt(i)
                        + "; use \\\\, \\t, \\n, \\r or \\N alone for null");
            }
        }
        return out.toString();
    }
}
