package io.llmstore.timescale.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@link FeatureSchema}'s scripts and picks, per version, the one that fits a database (see the naming rules
 * there). Statements end with a {@code ;} at the end of a line (no dollar-quoted bodies). The checksum is the SHA-256
 * of the file's text, as every release has computed it, so scripts recorded by an earlier release still match.
 */
public final class Migrations {
    public static final String TIMESCALEDB = "timescaledb";
    public static final String POSTGRESQL = "postgresql";
    /** Appended to the history's flavor ({@code postgresql+vector}) for a feature migrated with pgvector. */
    public static final String WITH_VECTOR = "+vector";

    private static final Pattern NAME =
            Pattern.compile("V(\\d+)__([a-z0-9_]+)(?:\\.(timescaledb|postgresql))?(\\.vector)?\\.sql");

    private Migrations() {
    }

    /**
     * One script.
     *
     * @param feature       the feature it belongs to
     * @param version       its version
     * @param description   words from the file name
     * @param file          the file name
     * @param flavor        null for both flavors
     * @param vector        true for a {@code .vector} script (only where pgvector is used)
     * @param transactional false when marked {@code llmstore:no-transaction}
     * @param statements    the statements, without trailing semicolons
     * @param checksum      SHA-256 of the file, hex
     */
    public record Migration(String feature, int version, String description, String file, String flavor,
                            boolean vector, boolean transactional, List<String> statements, String checksum) {
        boolean fits(String schemaFlavor, boolean withVector) {
            return (flavor == null || flavor.equals(schemaFlavor)) && (!vector || withVector);
        }

        int specificity() {
            return (flavor == null ? 0 : 1) + (vector ? 1 : 0);
        }

        /** {@code usage/V3__rollups.postgresql.sql}: how messages name a script. */
        public String qualifiedName() {
            return feature + "/" + file;
        }
    }

    /** The flavor a script file name names ({@code timescaledb} or {@code postgresql}), or null for both. */
    public static String flavorOf(String file) {
        Matcher name = NAME.matcher(file == null ? "" : file);
        return name.matches() ? name.group(3) : null;
    }

    /**
     * Every script of {@code feature}, ascending by version, checked: names follow the pattern, {@code .vector} only in
     * a feature that uses pgvector, and each database shape finds at most one script per version.
     *
     * @throws IllegalStateException naming the feature and the file on a packaging error
     */
    public static List<Migration> load(FeatureSchema feature) {
        List<Migration> all = new ArrayList<>();
        for (String file : feature.scripts()) {
            Migration m = load(feature, file);
            if (m.vector() && feature.vector() == FeatureSchema.Vector.NONE) {
                throw new IllegalStateException("feature " + feature.name() + ": script " + file
                        + " is a .vector variant but the feature declares no pgvector use (vector() is NONE)");
            }
            all.add(m);
        }
        all.sort(Comparator.comparingInt(Migration::version));
        for (String flavor : List.of(POSTGRESQL, TIMESCALEDB)) {
            plan(all, flavor, false);
            if (feature.vector() != FeatureSchema.Vector.NONE) {
                plan(all, flavor, true);
            }
        }
        return all;
    }

    /**
     * The scripts that build {@code all}'s feature on a database of {@code flavor} (with pgvector when {@code vector}):
     * per version the most specific script that fits; versions none fits are left out. Ascending.
     */
    public static List<Migration> plan(List<Migration> all, String flavor, boolean vector) {
        Map<Integer, Migration> chosen = new TreeMap<>();
        for (Migration m : all) {
            if (!m.fits(flavor, vector)) {
                continue;
            }
            Migration other = chosen.get(m.version());
            if (other == null || m.specificity() > other.specificity()) {
                chosen.put(m.version(), m);
            } else if (m.specificity() == other.specificity()) {
                throw new IllegalStateException("feature " + m.feature() + ": " + other.file() + " and " + m.file()
                        + " both fit a " + flavor + (vector ? " database with pgvector" : " database")
                        + "; give one of them a more specific name (.postgresql, .timescaledb, .vector)");
            }
        }
        return List.copyOf(chosen.values());
    }

    static Migration load(FeatureSchema feature, String file) {
        Matcher name = NAME.matcher(file);
        if (!name.matches()) {
            throw new IllegalStateException("feature " + feature.name() + ": bad migration file name " + file
                    + " (expected V<version>__<words>[.postgresql|.timescaledb][.vector].sql)");
        }
        String resource = feature.resourceFolder() + file;
        String text;
        try (InputStream in = feature.getClass().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("feature " + feature.name() + ": migration " + resource
                        + " is missing from the classpath");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration " + resource, e);
        }
        boolean transactional = !text.startsWith("-- llmstore:no-transaction");
        return new Migration(feature.name(), Integer.parseInt(name.group(1)), name.group(2).replace('_', ' '), file,
                name.group(3), name.group(4) != null, transactional, split(text), sha256(text));
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
