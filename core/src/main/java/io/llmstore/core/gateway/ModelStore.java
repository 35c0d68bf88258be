package io.llmstore.core.gateway;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The database side of {@link Models}, implemented by the PostgreSQL adapter; applications use {@link Models}. Each
 * call is bounded by {@code GATEWAY_QUERY_TIMEOUT}.
 */
public interface ModelStore {
    /** Creates the provider or updates its LiteLLM id. */
    Provider upsertProvider(String name, String litellmProvider);

    /**
     * Stores a model and its aliases in one transaction.
     *
     * @throws ModelNotFoundException when its provider is unknown (message names the provider)
     */
    Model insert(ModelSpec spec);

    /** The model whose name or alias is {@code nameOrAlias}, ignoring case. */
    Optional<Model> findByNameOrAlias(String nameOrAlias);

    /** Models whose name or an alias resembles {@code query}, best first, at most {@code limit}. */
    List<Model> search(String query, int limit);

    /** Stores a dated price for {@code modelId}. */
    ModelPrice insertPrice(long modelId, Map<String, BigDecimal> prices, Instant from, Instant until);

    /** Every stored price, by id. */
    List<ModelPrice> prices();

    /** Every model, by id (the price catalog needs each priced model's provider and name). */
    List<Model> all();

    /** True when fuzzy search uses pg_trgm similarity; false for the ranked ILIKE fallback. */
    boolean isTrigramSearch();
}
