package dev.ballot.nodeapi.tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * One {@link SSLContext} over a directory of PEM files ({@link TlsMaterial}) that follows the files: before a handshake,
 * at most once per {@link #CHECK_INTERVAL_NANOS}, it compares the files' modification times and sizes and loads them
 * again when they changed. A renewed certificate (cert-manager, or the operator rewriting the Secret, which the kubelet
 * swaps in atomically) is used from the next connection on, without a restart; established connections keep theirs.
 * A reload that fails (a half-written file) keeps the last good material and is logged, and is retried.
 */
public final class ReloadingTls {
    private static final Logger LOG = Logger.getLogger(ReloadingTls.class.getName());
    static final long CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Loaded(TlsMaterial material, SwitchableTls.Managers managers,
                          List<Object> stamp) {
    }

    private final Path dir;
    private final String member;
    private final SwitchableTls switchable;
    private volatile Loaded current;
    private volatile long lastCheck;
    private volatile Consumer<TlsMaterial> onReload = m -> { };

    private ReloadingTls(Path dir, String member, Loaded first) throws GeneralSecurityException {
        this.dir = dir;
        this.member = member;
        this.current = first;
        this.lastCheck = System.nanoTime();
        this.switchable = new SwitchableTls(first.managers(), this::maybeReload);
    }

    /** Loads the files now: a node must not start with unusable TLS material. */
    public static ReloadingTls open(Path dir) throws TlsException {
        return open(dir, null);
    }

    /**
     * As {@link #open(Path)}, preferring {@code <member>.crt} and {@code <member>.key} to {@code tls.crt} and
     * {@code tls.key} when they exist ({@link TlsMaterial#load(Path, String)}): one Secret for every member.
     */
    public static ReloadingTls open(Path dir, String member) throws TlsException {
        try {
            return new ReloadingTls(dir, member, load(dir, member));
        } catch (GeneralSecurityException e) {
            throw new TlsException("cannot build a TLS context from " + dir + ": " + e.getMessage(), e);
        }
    }

    public SSLContext context() {
        return switchable.context();
    }

    /** The key manager of {@link #context()}: the current certificate, checked for renewal before each handshake. */
    public X509ExtendedKeyManager keyManager() {
        return switchable.keyManager();
    }

    /** The trust manager of {@link #context()}: the current {@code ca.crt}, reloaded as {@link #keyManager()} is. */
    public X509ExtendedTrustManager trustManager() {
        return switchable.trustManager();
    }

    public Path directory() {
        return dir;
    }

    public TlsMaterial material() {
        maybeReload();
        return current.material();
    }

    /** Called with the new material after each successful reload (logging, metrics). */
    public ReloadingTls onReload(Consumer<TlsMaterial> listener) {
        this.onReload = Objects.requireNonNull(listener);
        return this;
    }

    /** Loads the files again if they changed since the last load; true when new material is in use. */
    public boolean reloadIfChanged() {
        lastCheck = System.nanoTime();
        Loaded was = current;
        List<Object> stamp;
        try {
            stamp = stamp(dir, member);
        } catch (IOException e) {
            return false; // mid-swap; the next check sees the finished files
        }
        if (stamp.equals(was.stamp())) {
            return false;
        }
        try {
            Loaded next = load(dir, member);
            current = next;
            switchable.use(next.managers());
            LOG.info(() -> "TLS material in " + dir + " reloaded: " + next.material().leaf().getSubjectX500Principal().getName()
                    + ", valid until " + next.material().leaf().getNotAfter().toInstant());
            onReload.accept(next.material());
            return true;
        } catch (TlsException | GeneralSecurityException e) {
            LOG.warning("TLS material in " + dir + " changed but cannot be used (" + e.getMessage()
                    + "); keeping the previous certificate until the files are fixed");
            return false;
        }
    }

    private void maybeReload() {
        if (System.nanoTime() - lastCheck >= CHECK_INTERVAL_NANOS) {
            synchronized (this) {
                if (System.nanoTime() - lastCheck >= CHECK_INTERVAL_NANOS) {
                    reloadIfChanged();
                }
            }
        }
    }

    private static Loaded load(Path dir, String member) throws TlsException, GeneralSecurityException {
        List<Object> stamp;
        try {
            stamp = stamp(dir, member);
        } catch (IOException e) {
            stamp = List.of();
        }
        TlsMaterial m = TlsMaterial.load(dir, member);
        return new Loaded(m, m.managers(), stamp);
    }

    /** Modification time and size of each file (followed through the kubelet's symlinks). */
    private static List<Object> stamp(Path dir, String member) throws IOException {
        Path crt = TlsMaterial.certFile(dir, member);
        Path key = TlsMaterial.keyFile(dir, member);
        Path ca = dir.resolve(TlsMaterial.CA_FILE);
        return List.of(Files.getLastModifiedTime(crt), Files.size(crt), Files.getLastModifiedTime(key), Files.size(key),
                Files.getLastModifiedTime(ca), Files.size(ca));
    }

}
