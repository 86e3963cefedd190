package dev.ballot.backup;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real S3-compatible server for tests and the e2e journey (in main so that e2e, operator and node tests share it
 * without a test-jar): versitygw (Apache-2.0) over a temporary directory, on a free loopback (or given) port,
 * started and stopped by its own PID. The binary comes from e2e/tools/build-versitygw.sh (cached in ~/.cache/ballot;
 * .ci/run builds it before the tests); {@code BALLOT_VERSITYGW} names another.
 */
public final class VersityGw implements AutoCloseable {
    public static final String VERSION = "v1.8.0";
    public static final S3Credentials CREDENTIALS = new S3Credentials("ballot-test-key", "ballot-test-secret");

    private final Process process;
    private final Path root;
    private final Path log;
    private final String host;
    private final int port;

    private VersityGw(Process process, Path root, Path log, String host, int port) {
        this.process = process;
        this.root = root;
        this.log = log;
        this.host = host;
        this.port = port;
    }

    public static Path binary() {
        String env = System.getenv("BALLOT_VERSITYGW");
        Path bin = env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "ballot", "versitygw-" + VERSION, "bin", "versitygw");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("versitygw is not built at " + bin + ": run e2e/tools/build-versitygw.sh "
                    + "(.ci/run does before the tests; about 6 min from the Go module proxy), or set BALLOT_VERSITYGW");
        }
        return bin;
    }

    public static VersityGw start() throws IOException, InterruptedException {
        return start("127.0.0.1");
    }

    /**
     * On {@code host}, an address of this machine: loopback, or (e2e's real node) the address of the node's bridge,
     * where pods reach the host.
     */
    public static VersityGw start(String host) throws IOException, InterruptedException {
        Path root = Files.createTempDirectory("ballot-versitygw-");
        Path data = Files.createDirectories(root.resolve("data"));
        Path log = root.resolve("versitygw.log");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            port = s.getLocalPort();
        }
        // --sidecar keeps object metadata in files: the temp directory's filesystem may lack user xattrs.
        Process p = new ProcessBuilder(binary().toString(), "--port", host + ":" + port, "--access",
                CREDENTIALS.accessKeyId(), "--secret", CREDENTIALS.secretAccessKey(), "--quiet", "posix",
                "--sidecar", Files.createDirectories(root.resolve("meta")).toString(), data.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        VersityGw gw = new VersityGw(p, root, log, host, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 200);
                return gw;
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    String out = Files.exists(log) ? Files.readString(log) : "";
                    gw.close();
                    throw new IOException("versitygw did not listen on " + host + ":" + port + " (alive=" + p.isAlive()
                            + "): " + out, e);
                }
                Thread.sleep(50);
            }
        }
    }

    public String endpoint() {
        return "http://" + host + ":" + port;
    }

    public int port() {
        return port;
    }

    public S3Location location(String bucket, String prefix) {
        return new S3Location(bucket, prefix, endpoint(), null, true);
    }

    /** Creates a bucket through the S3 API, as a user would. */
    public void createBucket(String bucket) {
        try (S3Client s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .forcePathStyle(true).endpointOverride(URI.create(endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        CREDENTIALS.accessKeyId(), CREDENTIALS.secretAccessKey()))).build()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> all = files.sorted(Comparator.reverseOrder()).toList();
            for (Path f : all) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
