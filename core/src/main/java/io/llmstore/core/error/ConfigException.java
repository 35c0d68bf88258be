package io.llmstore.core.error;

/**
 * A configuration value is missing or malformed. Raised at load time, before any socket opens.
 * The message names the variable (or YAML path) and the expected form, never a secret value.
 */
public class ConfigException extends StorageException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, false);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause, false);
    }
}
