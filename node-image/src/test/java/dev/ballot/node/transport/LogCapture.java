package dev.ballot.node.transport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects what a class logs through System.Logger (backed by java.util.logging). */
final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    final List<String> messages = new CopyOnWriteArrayList<>();

    LogCapture(Class<?> type) {
        logger = Logger.getLogger(type.getName());
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.INFO.intValue()) {
            messages.add(record.getLevel() + " " + record.getMessage());
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
