package dev.ballot.kubectl;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * What the plugin says when a call to the API server fails. A status code is the API server's own answer; without one
 * (fabric8 reports -1) no answer came at all, and the message names the server from the kubeconfig and the cause
 * (connection refused, unknown host, TLS), as kubectl does, instead of fabric8's "An error has occurred."
 */
final class ApiServerError {
    private ApiServerError() {
    }

    static String describe(KubernetesClientException e, String context) {
        if (e.getCode() > 0) {
            return "the API server answered " + e.getCode() + ": " + e.getMessage();
        }
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String server;
        try {
            server = (context == null ? Config.autoConfigure(null) : Config.autoConfigure(context)).getMasterUrl();
        } catch (RuntimeException unreadable) {
            server = "named in the kubeconfig";
        }
        String why = cause == e ? e.getMessage() : cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        return "cannot reach the API server " + server + " (" + why + "); check the kubeconfig's context"
                + " (kubectl cluster-info, or --context)";
    }
}
