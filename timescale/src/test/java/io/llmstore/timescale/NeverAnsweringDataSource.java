package io.llmstore.timescale;

import java.lang.reflect.Proxy;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * A {@link DataSource} whose every connection attempt fails as a lost server does ({@code 08001}): the database of a
 * writer that accepts rows and dies before storing them, for the spool's replay tests (the replay itself runs on the
 * real server).
 */
public final class NeverAnsweringDataSource {
    private NeverAnsweringDataSource() {
    }

    public static DataSource create() {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getConnection" -> throw new SQLException("the database never answered", "08001");
                    case "toString" -> "NeverAnsweringDataSource";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "isWrapperFor" -> false;
                    default -> throw new SQLException(method.getName() + " is not supported", "0A000");
                });
    }
}
