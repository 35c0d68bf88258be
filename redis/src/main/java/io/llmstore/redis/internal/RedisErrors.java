package io.llmstore.redis.internal;

import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.error.StorageTimeoutException;
import java.io.IOException;

/** Translates Lettuce exceptions into llmstore's, once, at the adapter boundary, keeping the cause. */
public final class RedisErrors {
    private RedisErrors() {
    }

    /**
     * @param operation what was being done ("rate limit decision"), for the message
     * @param e         what Lettuce threw
     */
    public static StorageException translate(String operation, RuntimeException e) {
        if (e instanceof StorageException se) {
            return se;
        }
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof RedisCommandTimeoutException) {
            return new StorageTimeoutException("Redis " + operation + " timed out: " + detail, e);
        }
        if (e instanceof RedisCommandInterruptedException) {
            Thread.currentThread().interrupt();
            return new StorageException("Redis " + operation + " interrupted", e, false);
        }
        if (e instanceof RedisConnectionException || isDisconnected(e)) {
            return new ConnectionException("Redis unavailable during " + operation + ": " + detail, e);
        }
        return new StorageException("Redis " + operation + " failed: " + detail, e, false);
    }

    private static boolean isDisconnected(RuntimeException e) {
        // Lettuce rejects commands while disconnected (DisconnectedBehavior.REJECT_COMMANDS) with a plain
        // RedisException; a reset connection surfaces as an IOException cause.
        return e instanceof RedisException && (String.valueOf(e.getMessage()).contains("not connected")
                || e.getCause() instanceof IOException);
    }
}
