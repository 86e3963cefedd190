package dev.ballot.kubectl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where one request stands in what an ElectionCluster's status says, fed each read of the cluster by the waiting
 * loop ({@link ActionCommand}). Pure.
 */
interface Progress {
    /** A progress line when what the operator says changed since the last call, else null. */
    String update(JsonNode cluster);

    /** The exit code once the request has a final answer, or null while it has none. */
    ExitCode outcome(JsonNode cluster);

    /** The part of the status that answers the request, for --output json (null while there is none). */
    JsonNode entry(JsonNode cluster);
}
