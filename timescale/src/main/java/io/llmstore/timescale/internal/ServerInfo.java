package io.llmstore.timescale.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * What the server is, asked once with one harmless SELECT: never a {@code CREATE EXTENSION} (on a server that lists
 * timescaledb but does not preload it, that ends the session with FATAL) and never a COPY (on PGlite a COPY breaks
 * the session until restart).
 *
 * @param version              {@code version()}
 * @param canCopy              false for PGlite, which identifies itself by an Emscripten (WebAssembly) build in
 *                             {@code version()}, e.g. "PostgreSQL 17.5 on ..., compiled by emcc (Emscripten ...)"
 * @param timescaleAvailable   the extension's files are installed (pg_available_extensions); alone this says little:
 *                             a server without the preload lists it too
 * @param timescaleInstalled   it is created in this database (pg_extension)
 * @param timescalePreloaded   {@code timescaledb} is in {@code shared_preload_libraries} (its loader's settings exist),
 *                             so it can be created
 */
public record ServerInfo(String version, boolean canCopy, boolean timescaleAvailable, boolean timescaleInstalled,
                         boolean timescalePreloaded) {
    // Preloaded: the settings timescaledb's loader defines exist. shared_preload_libraries itself is readable only by
    // superusers and pg_read_all_settings, and pg_settings hides placeholders of settings nobody defined.
    private static final String QUERY = "SELECT version(), "
            + "EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'), "
            + "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'), "
            + "EXISTS (SELECT 1 FROM pg_settings WHERE name IN ('timescaledb.disable_load',"
            + " 'timescaledb.bgw_launcher_poll_time'))";

    /** Whether the TimescaleDB flavor can be used here: created in this database, or creatable because preloaded. */
    public boolean timescaleUsable() {
        return timescaleInstalled || (timescaleAvailable && timescalePreloaded);
    }

    public static ServerInfo probe(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(QUERY)) {
            rs.next();
            String version = rs.getString(1);
            String lower = version.toLowerCase(Locale.ROOT);
            boolean wasm = lower.contains("emscripten") || lower.contains("emcc") || lower.contains("wasm");
            return new ServerInfo(version, !wasm, rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4));
        }
    }

    public static ServerInfo probe(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            return probe(c);
        } catch (SQLException e) {
            throw SqlErrors.translate("probing the PostgreSQL server", e);
        }
    }
}
