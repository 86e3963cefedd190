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
 *
 * <p>A slow client cannot make a member buffer without bound (etcd's "unsynced" watchers): when the stream's
 * outbound buffer is full (gRPC's {@code isReady()} false) as a revision's events arrive, its watcher leaves the live
 * feed and remembers the first revision it has not sent; when the client reads again it catches up from the store's
 * history in steps of {@link #MAX_EVENTS_PER_RESPONSE} whole revisions, each sent only while the stream is ready,
 * and rejoins the live feed once it has sent the current revision. Every event is still sent once, in order; if the
 * history it needs was compacted meanwhile, the watch is cancelled with the compaction revision, as etcd does.
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
    private final WatchStats stats;

    WatchService(EtcdBackend backend, Headers headers, WatchHub hub, ScheduledExecutorService timer,
                 long progressIntervalMillis, WatchStats stats) {
        this.stats = stats;
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
        /** The create request of each watch of this stream (a watcher that falls behind is rebuilt from it). */
        private final java.util.Map<Long, WatchCreateRequest> requests = new java.util.HashMap<>();
        /** Watches off the live feed, by id: the first revision each has not sent yet. Driver thread only. */
        private final java.util.Map<Long, Long> unsynced = new java.util.LinkedHashMap<>();
        private long nextId;
        private boolean closed;
        private ScheduledFuture<?> progress;

        Stream(ServerCallStreamObserver<WatchResponse> out) {
            this.out = out;
            out.setOnReadyHandler(() -> backend.readLocal(sm -> {
                catchUp(sm);
                return null;
            }));
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
                    // As etcd: only when every watch of the stream is on the live feed; a progress revision promises
                    // that every event up to it was sent.
                    if (unsynced.isEmpty()) {
                        send(WatchResponse.newBuilder().setHeader(headers.of(sm.store().currentRevision())).setWatchId(-1)
                                .build());
                    }
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
                requests.put(id, r);
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
                    cancelCompacted(watchId, current, compacted);
                    return null;
                }
                if (start > 0 && start <= current) {
                    fallBehind(watchId, start, false); // history first, in steps, as a watcher that fell behind
                    catchUp(sm);
                } else {
                    hub.add(new WatchHub.Watcher(watchId, r, start > 0 ? start : current + 1, this));
                }
                return null;
            }).exceptionally(t -> {
                send(WatchResponse.newBuilder().setHeader(headers.of(0)).setWatchId(watchId).setCanceled(true)
                        .setCancelReason(String.valueOf(Dispatcher.status(t).getStatus().getDescription())).build());
                return null;
            });
        }

        /** Ends a watch whose history from where it stands was compacted away, naming the compaction (as etcd does). */
        private void cancelCompacted(long watchId, long current, long compacted) {
            forget(watchId);
            send(WatchResponse.newBuilder().setHeader(headers.of(current)).setWatchId(watchId).setCanceled(true)
                    .setCompactRevision(compacted).setCancelReason(EtcdError.COMPACTED.message()).build());
        }

        /**
         * Driver thread: the watch leaves the live feed; {@code from} is the first revision it has not sent;
         * {@code slow}: because its client does not read (not a watch that starts in the past).
         */
        private void fallBehind(long watchId, long from, boolean slow) {
            hub.remove(this, watchId);
            if (unsynced.putIfAbsent(watchId, from) == null) {
                stats.leftLiveFeed(slow);
            }
        }

        /**
         * Driver thread: sends the watches off the live feed their history, whole revisions at a time, while the
         * stream takes more; a watch that reached the current revision rejoins the live feed (nothing can be applied
         * in between: this runs on the thread that applies).
         */
        private void catchUp(EtcdStateMachine sm) {
            if (unsynced.isEmpty()) {
                return;
            }
            long current = sm.store().currentRevision();
            long compacted = sm.store().compactRevision();
            for (var it = unsynced.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                long watchId = e.getKey();
                WatchCreateRequest r;
                synchronized (this) {
                    r = closed ? null : requests.get(watchId);
                }
                if (r == null) { // cancelled, or the stream ended
                    it.remove();
                    stats.rejoinedLiveFeed();
                    continue;
                }
                if (e.getValue() < compacted) {
                    it.remove();
                    stats.rejoinedLiveFeed();
                    cancelCompacted(watchId, current, compacted);
                    continue;
                }
                WatchHub.Watcher w = new WatchHub.Watcher(watchId, r, e.getValue(), this);
                long from = e.getValue();
                while (from <= current && out.isReady()) {
                    List<Event> step = sm.store().eventsSince(from, r.getKey(), r.getRangeEnd(), MAX_EVENTS_PER_RESPONSE);
                    if (step.isEmpty()) {
                        from = current + 1;
                        break;
                    }
                    List<Event> mine = w.select(step);
                    if (!mine.isEmpty()) {
                        send(WatchResponse.newBuilder().setHeader(headers.of(current)).setWatchId(watchId)
                                .addAllEvents(mine).build());
                    }
                    from = step.get(step.size() - 1).getKv().getModRevision() + 1;
                }
                if (from > current) {
                    it.remove();
                    stats.rejoinedLiveFeed();
                    hub.add(new WatchHub.Watcher(watchId, r, current + 1, this));
                } else {
                    e.setValue(from); // the client reads again later: onReady resumes from here
                }
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
            requests.remove(id);
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
                    if (unsynced.containsKey(id)) {
                        continue; // behind: its progress would claim events it has not been sent
                    }
                    send(WatchResponse.newBuilder().setHeader(headers.of(rev)).setWatchId(id).build());
                }
                return null;
            });
        }

        /** Driver thread, from the live feed: sent, unless the client has not read what was sent before. */
        @Override
        public void events(long watchId, long revision, List<Event> events) {
            if (!out.isReady() && !out.isCancelled()) {
                fallBehind(watchId, revision, true); // this revision and later come from the history when it reads again
                return;
            }
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
                unsynced.keySet().forEach(id -> stats.rejoinedLiveFeed());
                unsynced.clear();
                return null;
            });
        }
    }
}
