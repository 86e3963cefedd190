package dev.ballot.etcd;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The etcd v3 gRPC API of one member: KV, Watch, Lease, Cluster, Maintenance, and the v3lock and v3election
 * services, over its {@link EtcdBackend}.
 */
public final class EtcdServer implements AutoCloseable {
    private final WatchStats watchStats;
    /** etcd's default interval for progress_notify watches is 10 minutes; Ballot's is shorter (its clients wait on it). */
    public static final long PROGRESS_INTERVAL_MILLIS = Long.getLong("ballot.etcd.progressMillis", 5_000);

    /**
     * Threads that run the forwarding channels' callbacks and the start-up warm-up. The calls' handlers run on the
     * transport's own event-loop threads ({@code directExecutor}): no handler blocks (every wait is a future), and a
     * hand-off to another thread cost every call a wake-up before it reached the driver's inbox, in series with
     * everything else a sequential write waits for (docs/bench.md, "Where a sequential write's time goes").
     * gRPC's default, a cached pool, also grew one thread per call in flight (50 threads on a member serving 64 clients).
     */
    static final int CALL_THREADS = 4;

    private final Server server;
    private final Dispatcher dispatcher;
    private final ScheduledExecutorService timer;
    private final ExecutorService calls;

    private EtcdServer(Server server, Dispatcher dispatcher, ScheduledExecutorService timer, ExecutorService calls,
                       WatchStats watchStats) {
        this.watchStats = watchStats;
        this.server = server;
        this.dispatcher = dispatcher;
        this.timer = timer;
        this.calls = calls;
    }

    /** How long start-up waits for {@link Dispatcher#warmUp}. */
    static final long WARM_UP_LIMIT_MS = 2_000;

    private static ExecutorService callThreads() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(CALL_THREADS, CALL_THREADS, 5, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "etcd-call-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Plain HTTP/2, as a node without TLS material serves it. */
    public static EtcdServer start(EtcdBackend backend, InetSocketAddress listen) throws IOException {
        return start(backend, listen, null);
    }

    /** @param tls null: plain HTTP/2; otherwise TLS with client certificates ({@link EtcdTls}) */
    public static EtcdServer start(EtcdBackend backend, InetSocketAddress listen, EtcdTls tls) throws IOException {
        Headers headers = new Headers(backend);
        ExecutorService calls = callThreads();
        Dispatcher dispatcher = new Dispatcher(backend, headers, tls, calls);
        WatchHub hub = new WatchHub();
        WatchStats watchStats = new WatchStats();
        backend.readLocal(sm -> {
            sm.store().setListener(hub);
            return null;
        });
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "etcd-progress");
            t.setDaemon(true);
            return t;
        });
        LeaseService lease = new LeaseService(backend, headers, dispatcher);
        Recipes recipes = new Recipes(backend, dispatcher, hub);
        NettyServerBuilder builder = tls == null ? NettyServerBuilder.forAddress(listen)
                : NettyServerBuilder.forAddress(listen, tls.serverCredentials());
        if (tls != null) {
            builder.intercept(new ClientCertificates());
        }
        if (Dispatcher.WRITE_TRACE) {
            builder.addStreamTracerFactory(new io.grpc.ServerStreamTracer.Factory() {
                @Override
                public io.grpc.ServerStreamTracer newServerStreamTracer(String method, io.grpc.Metadata headers) {
                    // the first and the last the server's transport knows of a call, around the handler's stamps
                    Dispatcher.stamp("stream created " + method);
                    return new io.grpc.ServerStreamTracer() {
                        @Override
                        public void streamClosed(io.grpc.Status status) {
                            Dispatcher.stamp("stream closed " + status.getCode());
                        }
                    };
                }
            });
        }
        Server server = builder
                .directExecutor()
                .addService(ServerInterceptors.intercept(new KvService(backend, dispatcher), Dispatcher.interceptor()))
                .addService(new WatchService(backend, headers, hub, timer, PROGRESS_INTERVAL_MILLIS, watchStats))
                .addService(ServerInterceptors.intercept(lease.leaseService(), Dispatcher.interceptor()))
                .addService(ServerInterceptors.intercept(lease.forwardService(), Dispatcher.interceptor()))
                .addService(ServerInterceptors.intercept(new LockService(dispatcher, headers, recipes),
                        Dispatcher.interceptor()))
                .addService(ServerInterceptors.intercept(new ElectionService(dispatcher, headers, recipes),
                        Dispatcher.interceptor()))
                .addService(new ClusterService(backend, headers))
                .addService(ServerInterceptors.intercept(new MaintenanceService(backend, headers, dispatcher),
                        Dispatcher.interceptor()))
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .maxInboundMessageSize(2 * 1024 * 1024)
                .build()
                .start();
        try {
            // Bounded: a member that cannot call itself in this time serves anyway, only its first calls are slower.
            dispatcher.warmUp(calls).get(WARM_UP_LIMIT_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // not warm: the first client pays for it, as before
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dispatcher.followLeader(r -> {
            try {
                calls.execute(r);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // the server closed: nothing more to follow
            }
        });
        return new EtcdServer(server, dispatcher, timer, calls, watchStats);
    }

    public int port() {
        return server.getPort();
    }

    /** Watches off the live feed (slow clients), for the member's metrics. */
    public WatchStats watchStats() {
        return watchStats;
    }

    @Override
    public void close() {
        server.shutdownNow();
        dispatcher.close();
        timer.shutdownNow();
        try {
            server.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        calls.shutdownNow();
    }
}
