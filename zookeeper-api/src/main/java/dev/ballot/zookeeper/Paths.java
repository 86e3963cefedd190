package dev.ballot.zookeeper;

/** ZooKeeper's path rules (PathUtils.validatePath): absolute, no empty, "." or ".." segments, no trailing '/'. */
final class Paths {
    private Paths() {
    }

    /** {@code sequential}: a trailing '/' is allowed because the server appends the sequence number. */
    static boolean valid(String path, boolean sequential) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return false;
        }
        if (path.length() == 1) {
            return !sequential;
        }
        String p = sequential ? path + "1" : path;
        if (p.endsWith("/")) {
            return false;
        }
        for (String segment : p.substring(1).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                if (c == 0 || (c > '\u0000' && c <= '\u001f') || (c >= '\u007f' && c <= '\u009F')
                        || (c >= '\ud800' && c <= '\uf8ff') || (c >= '\ufff0' && c <= '\uffff')) {
                    return false;
                }
            }
        }
        return true;
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String child(String parent, String name) {
        return parent.equals("/") ? "/" + name : parent + "/" + name;
    }
}
