package io.llmstore.timescale.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.error.ConnectionException;
import io.llmstore.core.error.QueryException;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.error.StorageTimeoutException;
import io.llmstore.core.failure.PoisonIsolation;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The PostgreSQL adapter is the one place that reads SQLStates; core sees only the flags it sets. */
class SqlErrorsUnitTest {
    @Test
    void dataExceptionsAndConstraintViolationsBecomeDataErrorsThatArePoisonAndNeverRetried() {
        for (String state : new String[] {"22003", "22P02", "22021", "23502", "23505", "23514"}) {
            StorageException e = SqlErrors.translate("storing 3 usage rows", new SQLException("refused", state));

            assertThat(e).as(state).isInstanceOf(QueryException.class);
            assertThat(((QueryException) e).isDataError()).as(state).isTrue();
            assertThat(((QueryException) e).sqlState()).isEqualTo(state);
            assertThat(e.isRetryable()).as(state).isFalse();
            assertThat(PoisonIsolation.isPoison(e)).as(state).isTrue();
            assertThat(e).hasMessage("storing 3 usage rows failed: refused [SQLState " + state + "]");
        }
    }

    @Test
    void serializationDeadlockShutdownAndTooManyConnectionsAreRetryableButNotTheDatasFault() {
        for (String state : new String[] {"40001", "40P01", "53300"}) {
            StorageException e = SqlErrors.translate("op", new SQLException("transient", state));

            assertThat(e).as(state).isInstanceOf(QueryException.class);
            assertThat(e.isRetryable()).as(state).isTrue();
            assertThat(((QueryException) e).isDataError()).as(state).isFalse();
            assertThat(PoisonIsolation.isPoison(e)).as(state).isFalse();
        }
    }

    @Test
    void connectionClassAndAdminShutdownAreConnectionLoss() {
        for (String state : new String[] {"08006", "08003", "57P01", "57P02", "57P03"}) {
            StorageException e = SqlErrors.translate("op", new SQLException("gone", state));

            assertThat(e).as(state).isInstanceOf(ConnectionException.class);
            assertThat(e.isRetryable()).as(state).isTrue();
            assertThat(PoisonIsolation.isPoison(e)).as(state).isFalse();
        }
    }

    @Test
    void otherRefusalsAreNeitherRetryableNorPoison() {
        for (String state : new String[] {"42P01", "42601", "42501", null}) {
            StorageException e = SqlErrors.translate("op", new SQLException("refused", state));

            assertThat(e).as(String.valueOf(state)).isInstanceOf(QueryException.class);
            assertThat(e.isRetryable()).as(String.valueOf(state)).isFalse();
            assertThat(PoisonIsolation.isPoison(e)).as(String.valueOf(state)).isFalse();
        }
        assertThat(SqlErrors.translate("op", new SQLException("canceling statement", "57014")))
                .isInstanceOf(StorageTimeoutException.class);
    }
}
