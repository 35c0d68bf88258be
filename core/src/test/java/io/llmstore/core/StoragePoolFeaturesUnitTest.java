package io.llmstore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.cache.LocalResponseCache;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.NotConfiguredException;
import io.llmstore.core.event.EventSink;
import io.llmstore.core.event.Events;
import io.llmstore.core.health.HealthCheck;
import io.llmstore.core.spi.Backend;
import io.llmstore.core.spi.BackendContext;
import io.llmstore.core.spi.BackendProvider;
import io.llmstore.core.usage.Usage;
import io.llmstore.core.usage.UsageQueries;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The facade's accessors: one lookup per feature, messages from the feature's descriptor, provider replacement. */
class StoragePoolFeaturesUnitTest {
    private static final StorageConfig NOTHING = StorageConfig.builder().build();

    @Test
    void aFeatureWithoutItsBackendSaysWhichVariableToSetOrWhichClientToPass() {
        try (StoragePool pool = StoragePool.create(NOTHING)) {
            assertThatThrownBy(pool::usage).isInstanceOf(NotConfiguredException.class)
                    .hasMessage("PostgreSQL is not configured: set DATABASE_URL (or DB_HOST) to use usage recording"
                            + " (or pass your own client: StoragePool.builder(config).backend("
                            + "PostgresBackendProvider.using(dataSource)))")
                    .hasMessage(Usage.FEATURE.notConfigured(List.of("local")).getMessage());
            assertThatThrownBy(pool::analytics).hasMessageContaining("to use usage analytics");
            assertThatThrownBy(pool::events).isInstanceOf(NotConfiguredException.class)
                    .hasMessageStartingWith("Kafka is not configured: set KAFKA_BOOTSTRAP_SERVERS to use event publishing")
                    .hasMessageContaining("KafkaBackendProvider.using(producer)");
        }
    }

    @Test
    void theSinkNamesOnlyTheBackendThatIsMissing() {
        assertThat(EventSink.FEATURE.notConfigured(List.of("kafka")).getMessage())
                .startsWith("PostgreSQL is not configured: set DATABASE_URL (or DB_HOST) to use the usage sink")
                .doesNotContain("KAFKA_BOOTSTRAP_SERVERS");
        assertThat(EventSink.FEATURE.notConfigured(List.of()).getMessage())
                .contains("Kafka is not configured", "PostgreSQL is not configured");
    }

    @Test
    void aRegisteredProviderReplacesTheServiceLoaderOneOfTheSameNameAndTheFallbackStepsAside() {
        LocalResponseCache own = new LocalResponseCache(10, Duration.ofMinutes(1), Duration.ofSeconds(1),
                Clock.systemUTC());
        try (StoragePool pool = StoragePool.builder(NOTHING).backend(serving("redis", own)).build()) {
            assertThat(pool.cache()).as("the registered backend's cache, not the in-process fallback").isSameAs(own);
            assertThat(pool.stats().caches()).as("no fallback cache opened beside it").isEmpty();
        }
    }

    @Test
    void aClosedPoolRefusesEveryFeature() {
        StoragePool pool = StoragePool.create(NOTHING);
        pool.close();

        assertThatThrownBy(pool::cache).isInstanceOf(IllegalStateException.class).hasMessage("StoragePool is closed");
        assertThatThrownBy(pool::limits).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theFacadeHandsOutWhatTheBackendServesForEachFeatureType() {
        Events events = Events.of(new io.llmstore.core.event.EventPublisher() {
            @Override
            public java.util.concurrent.CompletableFuture<io.llmstore.core.event.PublishReceipt> publish(
                    io.llmstore.core.event.LlmEvent event) {
                return new java.util.concurrent.CompletableFuture<>();
            }

            @Override
            public void flush() {
            }
        }, () -> {
            throw EventSink.FEATURE.notConfigured(List.of("kafka"));
        });
        try (StoragePool pool = StoragePool.builder(NOTHING).backend(serving("kafka", events)).build()) {
            assertThat(pool.events()).isSameAs(events);
            assertThatThrownBy(() -> pool.events().sink()).isInstanceOf(NotConfiguredException.class)
                    .hasMessageContaining("DATABASE_URL");
            assertThatThrownBy(pool::analytics).hasMessageContaining(UsageQueries.FEATURE.name());
        }
    }

    /** An in-process backend serving one object under its own types (no server involved). */
    private static BackendProvider serving(String name, Object port) {
        return new BackendProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int order() {
                return 200;
            }

            @Override
            public boolean isConfigured(StorageConfig config) {
                return true;
            }

            @Override
            public Backend open(BackendContext context) {
                return new Backend() {
                    @Override
                    public String name() {
                        return name;
                    }

                    @Override
                    public <T> Optional<T> find(Class<T> type) {
                        return type.isInstance(port) && type != Object.class ? Optional.of(type.cast(port))
                                : Optional.empty();
                    }

                    @Override
                    public List<HealthCheck> healthChecks() {
                        return List.of();
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
    }
}
