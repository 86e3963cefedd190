package dev.ballot.nodeapi;

/** The 200 body of {@code /healthz} ({@code {"status":"ok"}}) and {@code /readyz} ({@code {"status":"ready"}}). */
public record ProbeAnswer(String status) {
    public static final ProbeAnswer OK = new ProbeAnswer("ok");
    public static final ProbeAnswer READY = new ProbeAnswer("ready");
}
