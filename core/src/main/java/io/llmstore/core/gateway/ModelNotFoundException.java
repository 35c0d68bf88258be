package io.llmstore.core.gateway;

import io.llmstore.core.error.NotFoundException;

/** No model has the name or alias asked for. Not retryable. */
public final class ModelNotFoundException extends NotFoundException {
    public ModelNotFoundException(String message) {
        super(message);
    }
}
