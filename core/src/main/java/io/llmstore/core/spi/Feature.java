package io.llmstore.core.spi;

import io.llmstore.core.error.NotConfiguredException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A feature the facade hands out ({@code pool.usage()}, {@code pool.events()}, ...): the entry-point type a backend
 * serves through {@link Backend#find}, its name for messages, and the backends it needs. Each feature declares its
 * own descriptor next to its entry-point type (e.g. {@code Usage.FEATURE}); {@code StoragePool} looks the entry point
 * up and, when no open backend serves it, throws {@link #notConfigured} — the message comes from here.
 *
 * @param name     what the user was trying to use, e.g. {@code usage recording}
 * @param type     the entry-point type a backend serves
 * @param requires the backends that must be open, in the order they are named
 * @param <T>      the entry-point type
 */
public record Feature<T>(String name, Class<T> type, List<BackendDescriptor> requires) {
    public Feature {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        requires = List.copyOf(requires);
        if (requires.isEmpty()) {
            throw new IllegalArgumentException("requires must name at least one backend, was empty");
        }
    }

    /** A feature of one or more backends. */
    public static <T> Feature<T> of(String name, Class<T> type, BackendDescriptor... requires) {
        return new Feature<>(name, type, List.of(requires));
    }

    /**
     * The exception for this feature when it is not served: names each required backend that is not open and how
     * to enable it, e.g. "PostgreSQL is not configured: set DATABASE_URL (or DB_HOST) to use usage recording (or
     * pass your own client: StoragePool.builder(config).backend(PostgresBackendProvider.using(dataSource)))".
     *
     * @param open the names of the backends that are open
     */
    public NotConfiguredException notConfigured(Collection<String> open) {
        List<BackendDescriptor> missing = new ArrayList<>();
        for (BackendDescriptor b : requires) {
            if (!open.contains(b.name())) {
                missing.add(b);
            }
        }
        if (missing.isEmpty()) {
            // Every backend is open but none serves the type: a provider registered without the feature.
            return new NotConfiguredException("no open backend " + open + " serves " + name + " ("
                    + type.getSimpleName() + "); it needs " + requires);
        }
        StringBuilder message = new StringBuilder();
        for (BackendDescriptor b : missing) {
            message.append(message.length() == 0 ? "" : "; ").append(b.display()).append(" is not configured: set ")
                    .append(b.variables()).append(" to use ").append(name).append(" (or pass your own client: ")
                    .append(b.injection()).append(")");
        }
        return new NotConfiguredException(message.toString());
    }
}
