package io.llmstore.examples.storage;

import static org.jooq.impl.DSL.constraint;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.SQLDataType.NUMERIC;
import static org.jooq.impl.SQLDataType.VARCHAR;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/** How do I move credit between two users so that either both updates happen or neither does? */
public final class Transaction {
    private static final Table<?> BALANCES = table(name("user_balances"));
    private static final Field<String> USER = field(name("user_id"), VARCHAR(64).notNull());
    private static final Field<BigDecimal> BALANCE = field(name("balance"), NUMERIC(12, 6).notNull());

    private Transaction() {
    }

    /** Runs the example with {@code DATABASE_URL} (or {@code DB_*}) from the environment. */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Gives alice 10 USD, moves 4.50 to bob, then tries to move 100 (refused, rolled back); returns the balances. */
    public static Map<String, BigDecimal> run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate(); // creates DB_SCHEMA
            DSLContext db = pool.client(DSLContext.class).orElseThrow();
            db.createTableIfNotExists(BALANCES).columns(USER, BALANCE).primaryKey(USER)
                    .constraint(constraint("balance_not_negative").check(BALANCE.ge(BigDecimal.ZERO))).execute();
            db.insertInto(BALANCES, USER, BALANCE).values("alice", new BigDecimal("10")).values("bob", BigDecimal.ZERO)
                    .onConflictDoNothing().execute();

            transfer(db, "alice", "bob", new BigDecimal("4.50"));
            out.println("moved 4.50 from alice to bob");
            try {
                transfer(db, "alice", "bob", new BigDecimal("100"));
            } catch (DataAccessException e) { // jOOQ's: this is the raw client, not an llmstore call
                out.println("moving 100 failed and was rolled back: " + e.sqlStateClass() + " " + e.getCause().getMessage());
            }

            Map<String, BigDecimal> balances = db.select(USER, BALANCE).from(BALANCES).orderBy(USER).fetchMap(USER, BALANCE);
            balances.forEach((user, balance) -> out.println(user + ": " + balance.toPlainString()));
            return balances;
        }
    }

    /** Credits first, then debits: a refused debit must undo the credit too, which only the transaction does. */
    static void transfer(DSLContext db, String from, String to, BigDecimal amount) {
        db.transaction(tx -> {
            DSLContext t = DSL.using(tx);
            t.update(BALANCES).set(BALANCE, BALANCE.plus(amount)).where(USER.eq(to)).execute();
            t.update(BALANCES).set(BALANCE, BALANCE.minus(amount)).where(USER.eq(from)).execute();
        });
    }
}
