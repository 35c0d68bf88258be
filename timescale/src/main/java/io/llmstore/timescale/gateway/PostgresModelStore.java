package io.llmstore.timescale.gateway;

import static io.llmstore.timescale.gateway.GatewaySql.*;
import static org.jooq.impl.DSL.array;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.length;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.val;
import static org.jooq.impl.DSL.when;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmstore.core.error.QueryException;
import io.llmstore.core.gateway.Model;
import io.llmstore.core.gateway.ModelNotFoundException;
import io.llmstore.core.gateway.ModelPrice;
import io.llmstore.core.gateway.ModelSpec;
import io.llmstore.core.gateway.ModelStore;
import io.llmstore.core.gateway.Provider;
import io.llmstore.core.retry.RetryPolicy;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.impl.SQLDataType;

/**
 * {@link ModelStore} over {@code gateway_providers}, {@code gateway_models}, {@code gateway_model_names} and
 * {@code gateway_model_prices}. Fuzzy search ranks by pg_trgm's {@code similarity} when the extension is in the
 * database (looked up once, in the schema it was created in), else by a ranked ILIKE: exact, prefix, substring,
 * shorter names first. Prices are stored as JSON strings so decimals stay exact.
 */
final class PostgresModelStore implements ModelStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Field<Long> M_ID = field(name("m", "id"), SQLDataType.BIGINT);
    private static final Field<Long> M_PROVIDER = field(name("m", "provider_id"), SQLDataType.BIGINT);
    private static final Field<String> M_NAME = field(name("m", "name"), SQLDataType.CLOB);
    private static final Field<Integer> M_WINDOW = field(name("m", "context_window"), SQLDataType.INTEGER);
    private static final Field<Long> P_ID = field(name("p", "id"), SQLDataType.BIGINT);
    private static final Field<String> P_NAME = field(name("p", "name"), SQLDataType.CLOB);
    private static final Field<String> P_LITELLM = field(name("p", "litellm_provider"), SQLDataType.CLOB);
    private static final Field<Long> A_MODEL = field(name("a", "model_id"), SQLDataType.BIGINT);
    private static final Field<String> A_NAME = field(name("a", "name"), SQLDataType.CLOB);
    private static final Field<Boolean> A_ALIAS = field(name("a", "is_alias"), SQLDataType.BOOLEAN);
    private static final Field<String[]> ALIASES = array(select(A_NAME).from(NAMES.as("a"))
            .where(A_MODEL.eq(M_ID).and(A_ALIAS)).orderBy(A_NAME)).as("aliases");

    private final DSLContext dsl;
    private final RetryPolicy retry;
    /** The schema pg_trgm lives in, or empty when it is not in the database (then search uses ILIKE). */
    private final Supplier<Optional<String>> trigramSchema;

    PostgresModelStore(DSLContext dsl, RetryPolicy retry, Supplier<Optional<String>> trigramSchema) {
        this.dsl = dsl;
        this.retry = retry;
        this.trigramSchema = trigramSchema;
    }

    /** The schema holding pg_trgm in the database {@code dsl} reaches, empty when it is not created there. */
    static Optional<String> findTrigramSchema(DSLContext dsl) {
        return run(RetryPolicy.none(), "looking up pg_trgm", () -> dsl.select(field(name("n", "nspname"), String.class))
                .from(org.jooq.impl.DSL.table(name("pg_extension")).as("e"))
                .join(org.jooq.impl.DSL.table(name("pg_namespace")).as("n"))
                .on(field(name("n", "oid")).eq(field(name("e", "extnamespace"))))
                .where(field(name("e", "extname")).eq("pg_trgm"))
                .fetchOptional(0, String.class));
    }

    @Override
    public Provider upsertProvider(String name, String litellmProvider) {
        return run(retry, "registering provider " + name, () -> {
            Record r = dsl.insertInto(PROVIDERS).set(NAME, name).set(LITELLM, litellmProvider)
                    .onConflict(org.jooq.impl.DSL.lower(NAME)).doUpdate().set(LITELLM, litellmProvider)
                    .returningResult(ID, NAME, LITELLM).fetchOne();
            return new Provider(r.get(ID), r.get(NAME), r.get(LITELLM));
        });
    }

    @Override
    public Model insert(ModelSpec spec) {
        return translated("registering model " + spec.name(), () -> dsl.transactionResult(cfg -> {
            DSLContext tx = org.jooq.impl.DSL.using(cfg);
            Long providerId = tx.select(ID).from(PROVIDERS)
                    .where(org.jooq.impl.DSL.lower(NAME).eq(spec.provider().toLowerCase(Locale.ROOT)))
                    .fetchOptional(ID).orElseThrow(() -> new ModelNotFoundException("provider '" + spec.provider()
                            + "' of model '" + spec.name() + "' is not registered: call registerProvider first"));
            long id = tx.insertInto(MODELS).set(PROVIDER_ID, providerId).set(NAME, spec.name())
                    .set(CONTEXT_WINDOW, spec.contextWindow()).returningResult(ID).fetchOne(ID);
            var names = tx.insertInto(NAMES, LOWER_NAME, MODEL_ID, NAME, IS_ALIAS)
                    .values(spec.name().toLowerCase(Locale.ROOT), id, spec.name(), false);
            for (String alias : spec.aliases()) {
                names = names.values(alias.toLowerCase(Locale.ROOT), id, alias, true);
            }
            names.execute();
            return load(tx, M_ID.eq(id)).get(0);
        }));
    }

    @Override
    public Optional<Model> findByNameOrAlias(String nameOrAlias) {
        String lower = nameOrAlias.toLowerCase(Locale.ROOT);
        return run(retry, "reading a model", () -> load(dsl, M_ID.eq(
                select(MODEL_ID).from(NAMES).where(LOWER_NAME.eq(lower)).asField()))).stream().findFirst();
    }

    @Override
    public List<Model> search(String query, int limit) {
        String lower = query.toLowerCase(Locale.ROOT);
        return run(retry, "searching models", () -> {
            Field<Double> score;
            Condition matches;
            String like = "%" + lower.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            Condition contains = LOWER_NAME.like(like, '\\');
            if (trigramSchema.get().isPresent()) {
                Field<Double> similarity = org.jooq.impl.DSL.function(name(trigramSchema.get().get(), "similarity"),
                        SQLDataType.DOUBLE, LOWER_NAME, val(lower));
                Field<Double> wordSimilarity = org.jooq.impl.DSL.function(name(trigramSchema.get().get(), "word_similarity"),
                        SQLDataType.DOUBLE, val(lower), LOWER_NAME);
                // A substring always ranks (1 + similarity), a mere resemblance only above pg_trgm's usual 0.3.
                score = when(contains, inline(1.0).plus(similarity)).otherwise(org.jooq.impl.DSL.greatest(similarity, wordSimilarity));
                matches = contains.or(similarity.ge(0.3)).or(wordSimilarity.ge(0.5));
            } else {
                score = when(LOWER_NAME.eq(lower), inline(3.0))
                        .when(LOWER_NAME.like(like.substring(1), '\\'), inline(2.0))
                        .otherwise(inline(1.0)).minus(length(LOWER_NAME).cast(SQLDataType.DOUBLE).div(inline(1000.0)));
                matches = contains;
            }
            Field<Double> best = max(score).as("best");
            Field<Integer> shortest = min(length(LOWER_NAME)).as("shortest");
            List<Long> ids = dsl.select(MODEL_ID, best, shortest).from(NAMES).where(matches).groupBy(MODEL_ID)
                    .orderBy(best.desc(), shortest.asc(), MODEL_ID.asc()).limit(limit).fetch(MODEL_ID);
            if (ids.isEmpty()) {
                return List.of();
            }
            Map<Long, Model> byId = new HashMap<>();
            load(dsl, M_ID.in(ids)).forEach(m -> byId.put(m.id(), m));
            List<Model> ranked = new ArrayList<>();
            ids.forEach(id -> Optional.ofNullable(byId.get(id)).ifPresent(ranked::add));
            return ranked;
        });
    }

    @Override
    public ModelPrice insertPrice(long modelId, Map<String, BigDecimal> prices, Instant from, Instant until) {
        Map<String, String> exact = new TreeMap<>();
        prices.forEach((k, v) -> exact.put(k, v.toPlainString()));
        JSONB json;
        try {
            json = JSONB.valueOf(JSON.writeValueAsString(exact));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("prices could not be written as JSON: " + e.getOriginalMessage(), e);
        }
        return translated("storing a price of model " + modelId, () -> {
            long id = dsl.insertInto(PRICES).set(MODEL_ID, modelId).set(PRICE_MAP, json)
                    .set(EFFECTIVE_FROM, odt(from)).set(EFFECTIVE_UNTIL, odt(until)).returningResult(ID).fetchOne(ID);
            return new ModelPrice(id, modelId, prices, from, until);
        });
    }

    @Override
    public List<ModelPrice> prices() {
        return run(retry, "reading model prices", () -> dsl.select(ID, MODEL_ID, PRICE_MAP, EFFECTIVE_FROM, EFFECTIVE_UNTIL)
                .from(PRICES).orderBy(ID).fetch(r -> new ModelPrice(r.get(ID), r.get(MODEL_ID), decode(r.get(PRICE_MAP)),
                        instant(r.get(EFFECTIVE_FROM)), instant(r.get(EFFECTIVE_UNTIL)))));
    }

    @Override
    public List<Model> all() {
        return run(retry, "reading models", () -> load(dsl, org.jooq.impl.DSL.noCondition()));
    }

    @Override
    public boolean isTrigramSearch() {
        return trigramSchema.get().isPresent();
    }

    private static List<Model> load(DSLContext dsl, Condition where) {
        return dsl.select(M_ID, M_PROVIDER, P_NAME, P_LITELLM, M_NAME, M_WINDOW, ALIASES)
                .from(MODELS.as("m")).join(PROVIDERS.as("p")).on(P_ID.eq(M_PROVIDER))
                .where(where).orderBy(M_ID)
                .fetch(r -> new Model(r.get(M_ID), r.get(M_PROVIDER), r.get(P_NAME), r.get(P_LITELLM), r.get(M_NAME),
                        List.of(r.get(ALIASES)), r.get(M_WINDOW)));
    }

    private static Map<String, BigDecimal> decode(JSONB json) {
        try {
            Map<String, BigDecimal> out = new LinkedHashMap<>();
            JSON.readTree(json.data()).fields().forEachRemaining(e -> out.put(e.getKey(), new BigDecimal(e.getValue().asText())));
            return out;
        } catch (JsonProcessingException | NumberFormatException e) {
            throw new QueryException("gateway_model_prices holds a price that is not a decimal: " + e.getMessage(), e, false);
        }
    }
}
