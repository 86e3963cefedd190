package dev.ballot.node.http;

import dev.ballot.engine.Protocol;
import dev.ballot.node.server.MemberDirectory;
import dev.ballot.node.server.NodeRuntime;

import java.time.Duration;

/**
 * What every handler needs: the runtime, who we are, and how members are named.
 *
 * @param requestTimeout how long a write, read or admin call waits before answering 504
 */
public record NodeInfo(NodeRuntime runtime, MemberDirectory directory, String clusterId, Protocol protocol,
                       String version, Duration requestTimeout) {
    public String selfName() {
        return directory.name(runtime.id());
    }
}
