package io.llmstore.timescale.internal;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * The application's {@link DataSource} with the usage schema on the search_path of every connection the pool
 * borrows: {@code SET search_path} when borrowed, {@code RESET search_path} when closed, so the application's own
 * connections (returned to its pool) keep their setting. Costs two round trips per borrow, which is why it is used
 * only for an injected {@code DataSource} and a {@code DB_SCHEMA} other than {@code public}; the pool's own HikariCP
 * pool sets the search_path once per connection instead.
 */
final class SearchPathDataSource implements DataSource {
    private static final org.slf4j.Logger log = LoggerFactory.getLogger(SearchPathDataSource.class);

    private final DataSource delegate;
    private final String setSql;

    SearchPathDataSource(DataSource delegate, String schema) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.setSql = "SET search_path TO " + SchemaMigrator.searchPath(schema);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return prepare(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return prepare(delegate.getConnection(username, password));
    }

    private Connection prepare(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(setSql);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        restoreAndClose(c);
                        return null;
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static void restoreAndClose(Connection c) throws SQLException {
        try {
            if (!c.isClosed()) {
                if (!c.getAutoCommit()) {
                    c.rollback(); // what is left uncommitted is discarded on close anyway; RESET needs a live transaction
                }
                try (Statement st = c.createStatement()) {
                    st.execute("RESET search_path");
                }
            }
        } catch (SQLException e) {
            // A broken connection: the application's pool evicts it, so its search_path goes with it.
            log.debug("could not reset search_path before returning the connection: {}", e.toString());
        } finally {
            c.close();
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "SearchPathDataSource{" + delegate.getClass().getName() + "}"; // its toString may carry credentials
    }
}
