package dev.ballot.etcd;

import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.WatchCancelRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * etcd's Watch service on this member: watches are served from this member's own applied stream (no
 * forwarding), from {@code start_revision} (history replayed from the store, or "compacted" with the
 * compaction revision), with prev_kv, NOPUT/NODELETE filters, cancel, progress on request (watch id -1,
 * etcd 3.5's answer to a stream-wide progress request) and periodic progress for {@code progress_notify}.
 */
final class WatchService extends WatchGrpc.WatchImplBase {
    /** etcd's WatchCreateRequest.watch_id (field 7), newer than jetcd's rpc.proto. */
    private static final int WATCH_ID_FIELD = 7;
    private static final int MAX_EVENTS_PER_RESPONSE = 1000;

    private final EtcdBackend backend;
    private final Headers headers;
    private final WatchHub hub;
    private final ScheduledExecutorService timer;
    private final long progressIntervalMillis;

    WatchService(EtcdBackend backend, Headers headers, WatchHub hub, ScheduledExecutorService timer, long progressIntervalMillis) {
        this.backend = backend;
        this.headers = headers;
        this.hub = hub;
        this.timer = timer;
        this.progressIntervalMillis = progressIntervalMillis;
    }

    @Override
    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
        return new Stream((ServerCallStreamObserver<WatchResponse>) responses);
    }

    /** One client stream: its watchers, ids and outgoing responses (sent under the stream's lock). */
    private final class Stream implements StreamObserver<WatchRequest>, WatchHub.Sink {
        private final ServerCallStreamObserver<WatchResponse> out;
        private final Set<Long> ids = new HashSet<>();
        private final Set<Long> progressIds = new HashSet<>();
        private long nextId;
        private boolean closed;
        private ScheduledFuture<?> progress;

        Stream(ServerCallStreamObserver<WatchResponse> out) {
            this.out = out;
            out.setOnCancelHandler(() -> {
                synchronized (this) {
                    closed = true;
                }
                end();
            });
        }

        @Override
        public void onNext(WatchRequest request) {
            switch (request.getRequestUnionCase()) {
                case CREATE_REQUEST -> create(request.getCreateRequest());
                case CANCEL_REQUEST -> cancel(request.getCancelRequest());
                case PROGRESS_REQUEST -> backend.readLocal(sm -> {
                    send(WatchResponse.newBuilder().setHeader(headers.of(sm.store().currentRevision())).setWatchId(-1).build());
                    return null;
                });
                default -> { }
            }
        }

        private void create(WatchCreateRequest r) {
            long id;
            synchronized (this) {
                var f = r.getUnknownFields().getField(WATCH_ID_FIELD);
                long asked = f == null || f.getVarintList().isEmpty() ? 0 : f.getVarintList().get(0);
                if (asked > 0) {
                    if (ids.contains(asked)) {
                        send(WatchResponse.newBuilder().setHeader(headers.of(0)).setWatchId(asked).setCreated(true)
                                .setCanceled(true).setCancelReason("etcdserver: duplicate watch ID provided on the WatchStream").build());
                        return;
                    }
                    id = asked;
                } else {
                    while (ids.contains(nextId)) {
                        nextId++;
                    }
                    id = nextId++;
                }
                ids.add(id);
                if (r.getProgressNotify()) {
                    progressIds.add(id);
                    startProgressTimer();
                }
            }
            long watchId = id;
            backend.readLocal(sm -> {
                long current = sm.store().currentRevision();
                long compacted = sm.store().compactRevision();
                send(WatchResponse.newBuilder().setHeader(headers.of(current)).setWatchId(watchId).setCreated(true).build());
                long start = r.getStartRevision();
                if (start > 0 && start < compacted) {
                    forget(watchId);
                    send(WatchResponse.newBuilder().setHeader(headers.of(current)).setWatchId(watchId).setCanceled(true)
                            .setCompactRevision(compacted).setCancelReason(EtcdError.COMPACTED.message()).build());
                    return null;
                }
                WatchHub.Watcher w = new WatchHub.Watcher(watchId, r, start > 0 ? start : current + 1, this);
                if (start > 0 && start <= current) {
                    replay(watchId, w.select(sm.store().eventsSince(start, r.getKey(), r.getRangeEnd())), current);
                }
                hub.add(w);
                return null;
            }).exceptionally(t -> {
                send(WatchResponse.newBuilder().setHeader(headers.of(0)).setWatchId(watchId).setCanceled(true)
                        .setCancelReason(String.valueOf(Dispatcher.status(t).getStatus().getDescription())).build());
                return null;
            });
        }

        private void replay(long watchId, List<Event> events, long current) {
            for (int i = 0; i < events.size(); i += MAX_EVENTS_PER_RESPONSE) {
                List<Event> part = events.subList(i, Math.min(events.size(), i + MAX_EVENTS_PER_RESPONSE));
                send(WatchResponse.newBuilder().setHeader(headers.of(current)).setWatchId(watchId).addAllEvents(part).build());
            }
        }

        private void cancel(WatchCancelRequest c) {
            long id = c.getWatchId();
            backend.readLocal(sm -> {
                hub.remove(this, id);
                forget(id);
                send(WatchResponse.newBuilder().setHeader(headers.of(sm.store().currentRevision())).setWatchId(id)
                        .setCanceled(true).build());
                return null;
            });
        }

        private synchronized void forget(long id) {
            ids.remove(id);
            progressIds.remove(id);
        }

        private synchronized void startProgressTimer() {
            if (progress == null && progressIntervalMillis > 0) {
                progress = timer.scheduleAtFixedRate(this::notifyProgress, progressIntervalMillis, progressIntervalMillis,
                        TimeUnit.MILLISECONDS);
            }
        }

        private void notifyProgress() {
            backend.readLocal(sm -> {
                long rev = sm.store().currentRevision();
                Set<Long> targets;
                synchronized (this) {
                    targets = Set.copyOf(progressIds);
                }
                for (long id : targets) {
                    send(WatchResponse.newBuilder().setHeader(headers.of(rev)).setWatchId(id).build());
                }
                return null;
            });
        }

        @Override
        public void events(long watchId, long revision, List<Event> events) {
            send(WatchResponse.newBuilder().setHeader(headers.of(revision)).setWatchId(watchId).addAllEvents(events).build());
        }

        private synchronized void send(WatchResponse r) {
            if (closed) {
                return;
            }
            try {
                out.onNext(r);
            } catch (RuntimeException e) {
                closed = true; // the call was cancelled under us; end() removes the watchers
            }
        }

        @Override
        public void onError(Throwable t) {
            end();
        }

        @Override
        public void onCompleted() {
            end();
            synchronized (this) {
                if (!closed) {
                    closed = true;
                    out.onCompleted();
                }
            }
        }

        private void end() {
            synchronized (this) {
                if (progress != null) {
                    progress.cancel(false);
                }
            }
            backend.readLocal(sm -> {
                hub.removeAll(this);
                return null;
            });
        }
    }
}
