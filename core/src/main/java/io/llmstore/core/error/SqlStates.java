package io.llmstore.core.error;

/**
 * Which PostgreSQL SQLStates are worth retrying. Strings only, so core needs no JDBC driver.
 */
public final class SqlStates {
    private SqlStates() {
    }

    /**
     * True for connection failures (class 08), serialization failure (40001), deadlock (40P01), admin/crash
     * shutdown and cannot-connect-now (57P01, 57P02, 57P03), and "too many connections" (53300).
     *
     * @param sqlState a five-character SQLState, may be null (then false)
     */
    public static boolean isRetryable(String sqlState) {
        if (sqlState == null) {
            return false;
        }
        return sqlState.startsWith("08")
                || sqlState.equals("40001")
                || sqlState.equals("40P01")
                || sqlState.equals("57P01")
                || sqlState.equals("57P02")
                || sqlState.equals("57P03")
                || sqlState.equals("53300");
    }

    /** True when the SQLState says the connection itself is gone (class 08 or admin shutdown). */
    public static boolean isConnectionLoss(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.startsWith("57P0"));
    }

    /**
     * True when the SQLState says the server refused the statement for the data it carried, so the same data would
     * be refused again: class 22 (data exception: a value out of range, a bad encoding, an invalid timestamp) and
     * class 23 (integrity constraint violation). A batch failing this way holds at least one poison row.
     */
    public static boolean isDataError(String sqlState) {
        return sqlState != null && (sqlState.startsWith("22") || sqlState.startsWith("23"));
    }
}
