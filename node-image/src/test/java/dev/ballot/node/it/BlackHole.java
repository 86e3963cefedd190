package dev.ballot.node.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * An address that answers no connection, as a deleted pod's IP does: a dial neither connects nor is refused, it waits
 * for its own timeout. On loopback a closed port refuses at once; here the port is bound, never accepted on, and its
 * accept queue (backlog 1) is filled, so Linux drops every further SYN. No root needed.
 */
final class BlackHole implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> fillers = new ArrayList<>();

    private BlackHole(ServerSocket server) {
        this.server = server;
    }

    /** {@code host:port} answering nothing until closed. */
    static BlackHole at(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)));
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address, 1);
        BlackHole hole = new BlackHole(server);
        try {
            for (int i = 0; i < 16; i++) {
                Socket s = new Socket();
                hole.fillers.add(s);
                try {
                    s.connect(address, 300);
                } catch (SocketTimeoutException full) {
                    return hole; // this SYN was dropped: so will the node's be
                }
            }
        } catch (IOException | RuntimeException e) {
            hole.close();
            throw e;
        }
        hole.close();
        throw new IOException(hostPort + ": the accept queue never filled (16 connections accepted by the kernel)");
    }

    @Override
    public void close() throws IOException {
        for (Socket s : fillers) {
            s.close();
        }
        server.close();
    }
}
