package dev.ballot.nodeapi;

/** {@code {"revision": N}}: the answer of an applied write; N is the entry's index (zxid for ZAB). */
public record Revision(long revision) {
}
