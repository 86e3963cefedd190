package dev.ballot.nemesis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One directed link between two nodes: every connection node A opens to node B (peer, election and client ports)
 * goes through this proxy, which listens on an address of its own and forwards to B's. The harness cuts it
 * (connections reset, new ones refused) or blackholes it (connections stay open, bytes vanish in both directions
 * on them: A cannot reach B, while B's own connections to A, through the opposite link, still work). Healing a
 * blackhole resets the connections that lost bytes, as TCP would once its retransmissions gave up; a stream with a
 * hole in it must never be delivered.
 */
final class LinkProxy implements AutoCloseable {
    enum Mode { OPEN, CUT, BLACKHOLE }

    private record Pair(Socket from, Socket to) {
        void reset() {
            for (Socket s : List.of(from, to)) {
                try {
                    s.setSoLinger(true, 0);
                    s.close();
                } catch (IOException e) {
                    // already gone
                }
            }
        }
    }

    private final String name;
    private final String listenHost;
    private final String targetHost;
    private final List<Integer> ports;
    private final List<ServerSocket> servers = new ArrayList<>();
    private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.OPEN;
    private volatile boolean closed;

    LinkProxy(String name, String listenHost, String targetHost, List<Integer> ports) {
        this.name = name;
        this.listenHost = listenHost;
        this.targetHost = targetHost;
        this.ports = List.copyOf(ports);
    }

    String name() {
        return name;
    }

    synchronized LinkProxy start() throws IOException {
        for (int port : ports) {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(listenHost), port), 64);
            servers.add(server);
            Thread t = new Thread(() -> accept(server, port), "proxy-" + name + "-" + port);
            t.setDaemon(true);
            t.start();
        }
        return this;
    }

    Mode mode() {
        return mode;
    }

    synchronized void set(Mode next) throws IOException {
        Mode previous = mode;
        if (previous == next || closed) {
            return;
        }
        mode = next;
        if (next == Mode.CUT) {
            closeServers();
            resetAll();
        } else if (next == Mode.OPEN) {
            if (previous == Mode.BLACKHOLE) {
                resetAll();
            }
            if (servers.isEmpty()) {
                start();
            }
        }
    }

    private void closeServers() {
        for (ServerSocket s : servers) {
            try {
                s.close();
            } catch (IOException e) {
                // closing
            }
        }
        servers.clear();
    }

    private void resetAll() {
        for (Pair p : pairs) {
            p.reset();
        }
        pairs.clear();
    }

    private void accept(ServerSocket server, int port) {
        while (!server.isClosed()) {
            Socket from;
            try {
                from = server.accept();
            } catch (IOException e) {
                return; // cut or closed
            }
            Socket to = new Socket();
            try {
                to.connect(new InetSocketAddress(InetAddress.getByName(targetHost), port), 1000);
                from.setTcpNoDelay(true);
                to.setTcpNoDelay(true);
            } catch (IOException e) {
                new Pair(from, to).reset(); // the target is down: so is the link
                continue;
            }
            Pair pair = new Pair(from, to);
            pairs.add(pair);
            pump(pair, from, to, "up");
            pump(pair, to, from, "down");
        }
    }

    private void pump(Pair pair, Socket in, Socket out, String direction) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream is = in.getInputStream(); OutputStream os = out.getOutputStream()) {
                int n;
                while ((n = is.read(buf)) >= 0) {
                    if (mode == Mode.OPEN) {
                        os.write(buf, 0, n);
                        os.flush();
                    } // else: the bytes vanish
                }
            } catch (IOException e) {
                // one side closed or was reset
            } finally {
                pairs.remove(pair);
                pair.reset();
            }
        }, "proxy-" + name + "-" + direction);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeServers();
        resetAll();
    }
}
