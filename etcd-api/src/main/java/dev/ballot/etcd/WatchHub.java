package dev.ballot.etcd;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.WatchCreateRequest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The watchers of this member, fed from the store's applied stream on the driver thread, so a watcher sees
 * exactly the revisions this member applies, in order, each once. Driver thread only.
 */
final class WatchHub implements Consumer<List<Event>> {
    private static final Comparator<ByteString> ORDER = ByteString.unsignedLexicographicalComparator();

    /** One watcher; {@code sink} receives its events of one revision at a time. */
    static final class Watcher {
        final long id;
        final ByteString key;
        final ByteString end;
        final boolean prevKv;
        final boolean noPut;
        final boolean noDelete;
        /** Events below this revision were already sent (a watch that starts in the future waits for it). */
        final long fromRev;
        final Sink sink;

        Watcher(long id, WatchCreateRequest r, long fromRev, Sink sink) {
            this.id = id;
            this.key = r.getKey();
            this.end = r.getRangeEnd();
            this.prevKv = r.getPrevKv();
            this.noPut = r.getFiltersList().contains(WatchCreateRequest.FilterType.NOPUT);
            this.noDelete = r.getFiltersList().contains(WatchCreateRequest.FilterType.NODELETE);
            this.fromRev = fromRev;
            this.sink = sink;
        }

        boolean matches(Event e) {
            if ((noPut && e.getType() == Event.EventType.PUT) || (noDelete && e.getType() == Event.EventType.DELETE)
                    || e.getKv().getModRevision() < fromRev) {
                return false;
            }
            ByteString k = e.getKv().getKey();
            if (end.isEmpty()) {
                return k.equals(key);
            }
            if (end.size() == 1 && end.byteAt(0) == 0) {
                return ORDER.compare(k, key) >= 0;
            }
            return ORDER.compare(k, key) >= 0 && ORDER.compare(k, end) < 0;
        }

        List<Event> select(List<Event> events) {
            List<Event> out = new ArrayList<>();
            for (Event e : events) {
                if (matches(e)) {
                    out.add(prevKv ? e : e.toBuilder().clearPrevKv().build());
                }
            }
            return out;
        }
    }

    interface Sink {
        void events(long watchId, long revision, List<Event> events);
    }

    private final List<Watcher> watchers = new ArrayList<>();

    void add(Watcher w) {
        watchers.add(w);
    }

    void remove(Sink sink, long id) {
        watchers.removeIf(w -> w.sink == sink && w.id == id);
    }

    void removeAll(Sink sink) {
        watchers.removeIf(w -> w.sink == sink);
    }

    int size() {
        return watchers.size();
    }

    @Override
    public void accept(List<Event> events) {
        long rev = events.get(0).getKv().getModRevision();
        for (Watcher w : List.copyOf(watchers)) { // a sink may remove its watcher while we deliver
            List<Event> mine = w.select(events);
            if (!mine.isEmpty()) {
                w.sink.events(w.id, rev, mine);
            }
        }
    }
}
