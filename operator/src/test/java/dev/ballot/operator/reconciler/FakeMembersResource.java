package dev.ballot.operator.reconciler;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Starts {@link FakeMembers} before Quarkus and points the operator's member URL template at it. */
public class FakeMembersResource implements QuarkusTestResourceLifecycleManager {
    static volatile FakeMembers members;

    @Override
    public Map<String, String> start() {
        try {
            members = new FakeMembers();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("ballot.member-url-template", members.urlTemplate());
    }

    @Override
    public void stop() {
        if (members != null) {
            members.close();
        }
    }
}
