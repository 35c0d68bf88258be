package io.llmstore.core.gateway;

import io.llmstore.core.error.NotFoundException;

/** No API key matches: an unknown raw key (never printed), hash or id. Not retryable. */
public final class ApiKeyNotFoundException extends NotFoundException {
    public ApiKeyNotFoundException(String message) {
        super(message);
    }
}
