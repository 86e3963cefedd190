package dev.ballot.zookeeper;

/** ZooKeeper's error codes (KeeperException.Code), as numbers on the wire. */
public final class Err {
    public static final int OK = 0;
    public static final int SYSTEM_ERROR = -1;
    public static final int RUNTIME_INCONSISTENCY = -2;
    public static final int CONNECTION_LOSS = -4;
    public static final int MARSHALLING_ERROR = -5;
    public static final int UNIMPLEMENTED = -6;
    public static final int BAD_ARGUMENTS = -8;
    public static final int UNKNOWN_SESSION = -12;
    public static final int API_ERROR = -100;
    public static final int NO_NODE = -101;
    public static final int NO_AUTH = -102;
    public static final int BAD_VERSION = -103;
    public static final int NO_CHILDREN_FOR_EPHEMERALS = -108;
    public static final int NODE_EXISTS = -110;
    public static final int NOT_EMPTY = -111;
    public static final int SESSION_EXPIRED = -112;
    public static final int INVALID_ACL = -114;
    /** The session re-connected to another connection (ZooKeeper's SESSIONMOVED): this one is fenced. */
    public static final int SESSION_MOVED = -118;
    public static final int AUTH_FAILED = -115;
    public static final int NO_WATCHER = -121;
    public static final int RECONFIG_DISABLED = -123;

    private Err() {
    }

    /** Thrown inside the data tree to stop an operation with one of the codes above. */
    public static final class KeeperError extends Exception {
        private final int code;

        public KeeperError(int code) {
            super(null, null, false, false);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    static KeeperError of(int code) {
        return new KeeperError(code);
    }
}
