package dev.ballot.node.config;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A host (name, IPv4 or IPv6 literal) and a TCP port. Port 0 is allowed only when built in code
 * (an ephemeral listen port in tests); {@link #parse(String)} requires 1-65535.
 */
public record HostPort(String host, int port) {
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?i)[a-z0-9_]([a-z0-9_-]{0,62})(\\.[a-z0-9_]([a-z0-9_-]{0,62}))*\\.?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0-65535");
        }
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port}.
     *
     * @throws IllegalArgumentException with a message that says what is wrong and shows the expected form
     */
    public static HostPort parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("address is empty: expected host:port, e.g. 10.0.0.1:2380");
        }
        String s = text.trim();
        if (s.contains("://")) {
            throw new IllegalArgumentException("'" + s + "' has a scheme: expected a bare host:port, e.g. 10.0.0.1:2380");
        }
        String host;
        String portText;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + s + "' opens an IPv6 '[' without ']': expected [::1]:2380");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw new IllegalArgumentException("'" + s + "' has no port: expected [" + host + "]:2380");
            }
            portText = rest.substring(1);
            if (host.isEmpty() || !host.matches("[0-9a-fA-F:.%a-zA-Z]+") || !host.contains(":")) {
                throw new IllegalArgumentException("'" + s + "' has an invalid IPv6 address '" + host + "'");
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + s + "' has no port: expected host:port, e.g. " + s + ":2380");
            }
            host = s.substring(0, colon);
            portText = s.substring(colon + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException("'" + s + "' has more than one ':': write an IPv6 host in brackets,"
                        + " e.g. [::1]:2380, or a single host:port");
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("'" + s + "' has no host: expected host:port, e.g. 0.0.0.0" + s);
            }
            if (!validHost(host)) {
                throw new IllegalArgumentException("'" + s + "' has an invalid host '" + host
                        + "': use a DNS name (letters, digits, '-', '.') or an IP address");
            }
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' has a port '" + portText + "' that is not a number 1-65535");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + s + "' has port " + port + ", outside 1-65535");
        }
        return new HostPort(host, port);
    }

    private static boolean validHost(String host) {
        var ip = IPV4.matcher(host);
        if (ip.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(ip.group(i)) > 255) {
                    return false;
                }
            }
            return true;
        }
        return host.length() <= 253 && HOSTNAME.matcher(host).matches() && !host.matches("[0-9.]+");
    }

    /** True for IPv4 and IPv6 literals. */
    public boolean isIpLiteral() {
        return IPV4.matcher(host).matches() || host.contains(":");
    }

    /** True for 0.0.0.0 and :: (listen on every interface). */
    public boolean isWildcard() {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    /** Same host (ignoring case) and port. */
    public boolean sameAs(HostPort other) {
        return other != null && port == other.port && host.toLowerCase(Locale.ROOT).equals(other.host.toLowerCase(Locale.ROOT));
    }

    public HostPort withPort(int newPort) {
        return new HostPort(host, newPort);
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
