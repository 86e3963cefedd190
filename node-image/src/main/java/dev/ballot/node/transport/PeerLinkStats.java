package dev.ballot.node.transport;

import dev.ballot.node.config.HostPort;

/**
 * One peer as the transport sees it.
 *
 * @param connected       an outbound connection is up and handshaken
 * @param queued          messages waiting to be sent
 * @param sent            messages written to the connection
 * @param dropped         messages dropped: queue full, or too large for a frame
 * @param received        messages received from this peer on inbound connections
 * @param connectAttempts outbound connection attempts
 * @param lastError       the last connection error, or null
 */
public record PeerLinkStats(HostPort address, boolean connected, int queued, long sent, long dropped, long received,
                            long connectAttempts, String lastError) {
}
