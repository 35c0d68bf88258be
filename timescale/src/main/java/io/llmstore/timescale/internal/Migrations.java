package io.llmstore.timescale.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The migration scripts shipped in {@code io/llmstore/timescale/migrations/}. A script is named
 * {@code V<version>__<description>[.<flavor>].sql}: without a flavor it applies to both PostgreSQL and TimescaleDB,
 * with one ({@code timescaledb} or {@code postgresql}) only to that schema flavor. Statements end with a
 * {@code ;} at the end of a line (no dollar-quoted bodies); a first line {@code -- llmstore:no-transaction} runs
 * each statement on its own in autocommit (continuous aggregates), else the script runs in one transaction.
 */
public final class Migrations {
    /** Every script, in version order. Listed here because a jar's directory cannot be listed portably. */
    static final List<String> FILES = List.of(
            "V1__usage_metrics.sql",
            "V2__hypertable.timescaledb.sql",
            "V3__rollups.timescaledb.sql",
            "V3__rollups.postgresql.sql",
            "V4__exact_cost_token_classes.timescaledb.sql",
            "V4__exact_cost_token_classes.postgresql.sql",
            "V5__stream_usage.sql");

    public static final String TIMESCALEDB = "timescaledb";
    public static final String POSTGRESQL = "postgresql";

    private static final Pattern NAME = Pattern.compile("V(\\d+)__([a-z0-9_]+)(?:\\.(timescaledb|postgresql))?\\.sql");
    private static final String RESOURCE_DIR = "/io/llmstore/timescale/migrations/";

    private Migrations() {
    }

    /**
     * One script.
     *
     * @param version       its version
     * @param description   words from the file name
     * @param file          the file name
     * @param flavor        null for both flavors
     * @param transactional false when marked {@code llmstore:no-transaction}
     * @param statements    the statements, without trailing semicolons
     * @param checksum      SHA-256 of the file, hex
     */
    public record Migration(int version, String description, String file, String flavor, boolean transactional,
                            List<String> statements, String checksum) {
        public boolean appliesTo(String schemaFlavor) {
            return flavor == null || flavor.equals(schemaFlavor);
        }
    }

    /** The flavor a script file name names ({@code timescaledb} or {@code postgresql}), or null for both. */
    public static String flavorOf(String file) {
        Matcher name = NAME.matcher(file == null ? "" : file);
        return name.matches() ? name.group(3) : null;
    }

    /** The scripts for {@code flavor}, in version order. */
    public static List<Migration> forFlavor(String flavor) {
        List<Migration> result = new ArrayList<>();
        for (String file : FILES) {
            Migration m = load(file);
            if (m.appliesTo(flavor)) {
                result.add(m);
            }
        }
        result.sort((a, b) -> Integer.compare(a.version(), b.version()));
        return result;
    }

    static Migration load(String file) {
        Matcher name = NAME.matcher(file);
        if (!name.matches()) {
            throw new IllegalStateException("bad migration file name " + file);
        }
        String text;
        try (InputStream in = Migrations.class.getResourceAsStream(RESOURCE_DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("migration " + file + " is missing from the classpath");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration " + file, e);
        }
        boolean transactional = !text.startsWith("-- llmstore:no-transaction");
        return new Migration(Integer.parseInt(name.group(1)), name.group(2).replace('_', ' '), file, name.group(3),
                transactional, split(text), sha256(text));
    }

    /** Splits on semicolons that end a line, dropping comment lines and blank statements. */
    static List<String> split(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\r?\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("--") || trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(line, 0, line.lastIndexOf(';'));
                statements.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(line).append('\n');
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
