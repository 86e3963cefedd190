package dev.ballot.zookeeper;

import java.nio.charset.StandardCharsets;

/** ZooKeeper's four-letter words that Ballot serves: ruok, srvr, mntr (sent instead of a length, answered in text). */
final class FourLetterWords {
    static final String VERSION = "3.9.4-ballot";
    private static final int RUOK = word("ruok");
    private static final int SRVR = word("srvr");
    private static final int MNTR = word("mntr");

    /** What a four-letter word reports. */
    record Stats(String role, boolean serving, long zxid, int nodes, int watches, int ephemerals, long dataSize,
                 int connections, long received, long sent, int sessions) {
    }

    private FourLetterWords() {
    }

    private static int word(String w) {
        byte[] b = w.getBytes(StandardCharsets.US_ASCII);
        return (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    }

    static boolean isWord(int first) {
        return first == RUOK || first == SRVR || first == MNTR;
    }

    static String answer(int word, Stats s) {
        if (word == RUOK) {
            return "imok";
        }
        if (!s.serving()) {
            return "This ZooKeeper instance is not currently serving requests\n";
        }
        if (word == SRVR) {
            return "Zookeeper version: " + VERSION + ", built on Ballot\n"
                    + "Latency min/avg/max: 0/0.0/0\n"
                    + "Received: " + s.received() + "\n"
                    + "Sent: " + s.sent() + "\n"
                    + "Connections: " + s.connections() + "\n"
                    + "Outstanding: 0\n"
                    + "Zxid: 0x" + Long.toHexString(s.zxid()) + "\n"
                    + "Mode: " + s.role() + "\n"
                    + "Node count: " + s.nodes() + "\n";
        }
        return "zk_version\t" + VERSION + "\n"
                + "zk_server_state\t" + s.role() + "\n"
                + "zk_znode_count\t" + s.nodes() + "\n"
                + "zk_watch_count\t" + s.watches() + "\n"
                + "zk_ephemerals_count\t" + s.ephemerals() + "\n"
                + "zk_approximate_data_size\t" + s.dataSize() + "\n"
                + "zk_num_alive_connections\t" + s.connections() + "\n"
                + "zk_outstanding_requests\t0\n"
                + "zk_packets_received\t" + s.received() + "\n"
                + "zk_packets_sent\t" + s.sent() + "\n"
                + "zk_global_sessions\t" + s.sessions() + "\n"
                + "zk_last_zxid\t0x" + Long.toHexString(s.zxid()) + "\n";
    }
}
