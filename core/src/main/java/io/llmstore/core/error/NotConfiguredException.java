package io.llmstore.core.error;

/**
 * A feature was used whose backend is not configured; the message names the variable to set.
 */
public class NotConfiguredException extends StorageException {
    private static final long serialVersionUID = 1L;

    public NotConfiguredException(String message) {
        super(message, false);
    }

    /** For a feature that needs a backend: "Redis is not configured: set REDIS_URL to use the session store". */
    public static NotConfiguredException forFeature(String feature, String backend, String variable) {
        return new NotConfiguredException(backend + " is not configured: set " + variable + " to use " + feature);
    }
}
