package dev.ballot.node.config;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean" for unknown keys: the known key at the smallest edit distance, if close enough. */
final class Suggest {
    private Suggest() {
    }

    static String closest(String unknown, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(unknown.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(2, unknown.length() / 3) ? best : null;
    }

    static String unknownKeyFix(String unknown, Collection<String> known) {
        String near = closest(unknown, known);
        return (near != null ? "did you mean '" + near + "'? " : "") + "remove it or use one of: " + String.join(", ", known);
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
