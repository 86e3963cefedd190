package dev.ballot.node.storage;

import java.nio.file.Path;

/** The data directory belongs to another cluster or another member; using it would mix two members' histories. */
public final class ForeignStorageException extends CorruptStorageException {
    public ForeignStorageException(Path identityFile, String problem, String fix) {
        super(identityFile, -1, problem, fix);
    }
}
