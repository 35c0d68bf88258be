package io.llmstore.examples.storage;

import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.sum;
import static org.jooq.impl.DSL.table;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.usage.UsageMetric;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record3;
import org.jooq.Table;

/** How do I run my own query against the tables llmstore manages? */
public final class SimpleQuery {
    private SimpleQuery() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) from the environment. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Records three calls, then counts the rows and groups them by model with jOOQ; returns the row count. */
    public static int run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            Instant now = Instant.now();
            pool.usage().recordAll(List.of(
                    UsageMetric.builder().time(now).provider("openai").model("gpt-4o").tokens(100, 10).build(),
                    UsageMetric.builder().time(now).provider("openai").model("gpt-4o").tokens(200, 20).build(),
                    UsageMetric.builder().time(now).provider("openai").model("gpt-4o-mini").tokens(300, 30).build()));

            DSLContext dsl = pool.client(DSLContext.class).orElseThrow(); // the pool's; search_path is DB_SCHEMA
            Table<?> usage = table(name("llm_usage_metrics"));
            Field<String> model = field(name("model_id"), String.class);
            Field<Long> tokens = field(name("token_total"), Long.class);

            int rows = dsl.fetchCount(usage);
            out.println("llm_usage_metrics holds " + rows + " rows");
            for (Record3<String, Integer, java.math.BigDecimal> r : dsl.select(model, count(), sum(tokens))
                    .from(usage).groupBy(model).orderBy(model).fetch()) {
                out.println(r.value1() + ": " + r.value2() + " calls, " + r.value3() + " tokens");
            }
            return rows;
        }
    }
}
