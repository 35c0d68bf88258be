package io.llmstore.core.price;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmstore.core.price.internal.CatalogData;
import io.llmstore.core.price.internal.ModelEntry;
import io.llmstore.core.price.internal.ProviderEntry;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Prices every model of the bundled catalog under random usages and timestamps, with our code and
 * with the reference {@code calcPrice} of the pinned npm package (run with node), and requires
 * the same answer to 1e-9 USD: same total, input and output, or both unpriced, or both refusing
 * the usage. Needs Node.js; installs the pinned package with {@code npm ci} when missing.
 */
class PriceCatalogConformanceTest {

    private static final Path NODE_DIR = Path.of("src/test/node");
    private static final BigDecimal TOLERANCE = new BigDecimal("1e-9");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long FROM = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
    private static final long TO = Instant.parse("2028-01-01T00:00:00Z").toEpochMilli();

    record Case(String provider, String model, TokenUsage usage, long at, Map<String, BigDecimal> custom) {
        Case(String provider, String model, TokenUsage usage, long at) {
            this(provider, model, usage, at, null);
        }
    }

    @Test
    void everyBundledModelCostsWhatTheReferenceImplementationSays() throws Exception {
        ensureNodePackage();
        PriceCatalog catalog = PriceCatalog.bundled();
        CatalogData data;
        try (InputStream in = PriceCatalog.class.getResourceAsStream(PriceCatalog.BUNDLED_RESOURCE)) {
            data = CatalogData.read(in);
        }
        Random random = new Random(20261122L);
        List<Case> cases = new ArrayList<>();
        for (ProviderEntry p : data.providers()) {
            for (ModelEntry m : p.models()) {
                for (int i = 0; i < 3; i++) {
                    cases.add(new Case(p.id(), m.id(), randomUsage(random), FROM + (long) (random.nextDouble() * (TO - FROM))));
                }
                // and once by model id alone, with the dataset's cross-provider matching
                cases.add(new Case(null, m.id(), randomUsage(random), FROM + (long) (random.nextDouble() * (TO - FROM))));
            }
        }
        cases.add(new Case("openai", "no-such-model-xyz", TokenUsage.of(10, 10), FROM));
        cases.add(new Case("no-such-provider", "gpt-4o", TokenUsage.of(10, 10), FROM));

        JsonNode reference = runReference(cases);
        int compared = 0;
        int priced = 0;
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            JsonNode ref = reference.get(i);
            String ours;
            Optional<Cost> cost;
            try {
                cost = c.provider() == null ? catalog.find(c.model()).map(mp -> mp.cost(c.usage(), Instant.ofEpochMilli(c.at())))
                        : catalog.cost(c.provider(), c.model(), c.usage(), Instant.ofEpochMilli(c.at()));
                ours = cost.map(Cost::toString).orElse("unpriced");
            } catch (RuntimeException e) {
                cost = null;
                ours = "error: " + e.getMessage();
            }
            compared++;
            boolean same;
            if (ref.isNull()) {
                same = cost != null && cost.isEmpty();
            } else if (ref.has("error")) {
                same = cost == null;
            } else {
                same = cost != null && cost.isPresent()
                        && close(cost.get().total(), ref.get("total")) && close(cost.get().inputTotal(), ref.get("input"))
                        && close(cost.get().outputTotal(), ref.get("output"))
                        && cost.get().pricedBy().modelId().equals(ref.get("model").asText())
                        && cost.get().pricedBy().providerId().equals(ref.get("provider").asText());
                priced++;
            }
            if (!same) {
                mismatches.add(c + "\n   reference: " + ref + "\n   ours:      " + ours);
            }
        }
        System.out.printf("price conformance: %d cases compared (%d priced by the reference), %d mismatches%n",
                compared, priced, mismatches.size());
        assertThat(mismatches).as("mismatches against the reference calcPrice").isEmpty();
        assertThat(priced).isGreaterThan(5000);
    }


    /**
     * Dated overrides layered on bundled models, reached through every id the dataset's match rules
     * give the model (aliases, dated snapshots, {@code -YYYYMMDD} spellings): inside the window the
     * reference prices the call with the override's prices, outside it with the bundled schedule.
     */
    @Test
    void datedOverridesOnEveryAliasOfTheModelCostWhatTheReferenceSays() throws Exception {
        ensureNodePackage();
        CatalogData data;
        try (InputStream in = PriceCatalog.class.getResourceAsStream(PriceCatalog.BUNDLED_RESOURCE)) {
            data = CatalogData.read(in);
        }
        JsonNode raw;
        try (InputStream in = PriceCatalog.class.getResourceAsStream(PriceCatalog.BUNDLED_RESOURCE)) {
            raw = JSON.readTree(in);
        }
        Random random = new Random(20261201L);
        PriceCatalog catalog = PriceCatalog.bundled();
        List<Case> cases = new ArrayList<>();
        List<String[]> target = new ArrayList<>();   // per case: override provider, model, window
        record Window(String provider, String model, long from, long until, Map<String, BigDecimal> prices) {
        }
        List<Window> windows = new ArrayList<>();
        for (JsonNode p : raw.path("providers")) {
            for (JsonNode m : p.path("models")) {
                if (random.nextInt(4) != 0) {
                    continue;   // a quarter of the models get an override; the rest keep list prices
                }
                List<String> aliases = new ArrayList<>();
                collectAliases(m.get("match"), aliases);
                if (aliases.isEmpty()) {
                    continue;
                }
                long from = FROM + (long) (random.nextDouble() * (TO - FROM) / 2);
                long until = from + (long) (random.nextDouble() * (TO - from));
                Map<String, BigDecimal> prices = new LinkedHashMap<>();
                prices.put("input_mtok", BigDecimal.valueOf(random.nextInt(5000), 2));
                prices.put("output_mtok", BigDecimal.valueOf(random.nextInt(9000), 2));
                if (random.nextBoolean()) {
                    prices.put("cache_read_mtok", BigDecimal.valueOf(random.nextInt(500), 2));
                }
                String id = "o" + windows.size();
                catalog = catalog.withOverride(new PriceOverride(id, p.path("id").asText(), m.path("id").asText(), prices)
                        .effective(Instant.ofEpochMilli(from), Instant.ofEpochMilli(until)));
                windows.add(new Window(p.path("id").asText(), m.path("id").asText(), from, until, prices));
                for (String alias : aliases) {
                    for (long at : new long[] {from - 1, from, (from + until) / 2, until - 1, until}) {
                        TokenUsage u = randomUsage(random);
                        cases.add(new Case(p.path("id").asText(), alias, u, at));
                        cases.add(new Case(null, alias, u, at, prices));
                        target.add(new String[] {String.valueOf(windows.size() - 1)});
                    }
                }
            }
        }
        // An override follows the model its own provider and id resolve to (which may not be the entry
        // whose id it is: the dataset's rules decide), so ask the reference what that is.
        int resolveAt = cases.size();
        for (Window w : windows) {
            cases.add(new Case(w.provider(), w.model(), TokenUsage.of(1, 1), FROM));
        }
        JsonNode reference = runReference(cases);
        List<String> mismatches = new ArrayList<>();
        int inWindow = 0;
        for (int i = 0; i < resolveAt; i += 2) {
            Case c = cases.get(i);
            int wi = Integer.parseInt(target.get(i / 2)[0]);
            Window w = windows.get(wi);
            JsonNode resolved = reference.get(resolveAt + wi);
            JsonNode listed = reference.get(i);
            // the override applies when the id resolves to the override's model and the call falls in its window
            boolean applies = !listed.isNull() && !listed.has("error") && resolved != null && !resolved.isNull()
                    && !resolved.has("error") && listed.get("model").asText().equals(resolved.get("model").asText())
                    && listed.get("provider").asText().equals(resolved.get("provider").asText())
                    && c.at() >= w.from() && c.at() < w.until();
            JsonNode ref = applies ? reference.get(i + 1) : listed;
            inWindow += applies ? 1 : 0;
            String ours;
            boolean same;
            try {
                Optional<Cost> cost = catalog.cost(c.provider(), c.model(), c.usage(), Instant.ofEpochMilli(c.at()));
                ours = cost.map(Cost::toString).orElse("unpriced");
                same = ref.isNull() ? cost.isEmpty() : !ref.has("error") && cost.isPresent()
                        && close(cost.get().total(), ref.get("total")) && close(cost.get().inputTotal(), ref.get("input"))
                        && close(cost.get().outputTotal(), ref.get("output"))
                        && cost.get().pricedBy().source().contains("+override:") == applies;
            } catch (RuntimeException e) {
                ours = "error: " + e.getMessage();
                same = ref.has("error");
            }
            if (!same) {
                mismatches.add(c + " override " + w + "\n   reference: " + ref + "\n   ours:      " + ours);
            }
        }
        System.out.printf("override conformance: %d cases (%d in an override's window), %d mismatches%n",
                resolveAt / 2, inWindow, mismatches.size());
        assertThat(mismatches).as("mismatches against the reference calcPrice").isEmpty();
        assertThat(inWindow).isGreaterThan(200);
    }

    // Ids a model's match rule accepts: every equals value, and a dated id for every starts_with value.
    private static void collectAliases(JsonNode rule, List<String> out) {
        if (rule == null) {
            return;
        }
        if (rule.has("or")) {
            rule.get("or").forEach(r -> collectAliases(r, out));
        } else if (rule.has("equals")) {
            out.add(rule.get("equals").asText());
        } else if (rule.has("starts_with")) {
            out.add(rule.get("starts_with").asText() + "-2025-01-01");
        }
    }

    private static boolean close(BigDecimal ours, JsonNode ref) {
        return ours.subtract(new BigDecimal(ref.asText())).abs().compareTo(TOLERANCE) <= 0;
    }

    // Consistent random usage: every count includes the more specific counts below it.
    private static TokenUsage randomUsage(Random r) {
        long cacheRead = r.nextInt(4) == 0 ? 0 : r.nextInt(150_000);
        long cacheAudioRead = r.nextInt(3) == 0 ? 0 : r.nextInt((int) cacheRead + 1) / 4;
        long cacheImageRead = r.nextInt(3) == 0 ? 0 : r.nextInt((int) (cacheRead - cacheAudioRead) + 1) / 4;
        long cacheWrite = r.nextInt(3) == 0 ? 0 : r.nextInt(100_000);
        long cacheWrite1h = r.nextBoolean() ? 0 : r.nextInt((int) cacheWrite + 1);
        long audioUncached = r.nextInt(3) == 0 ? 0 : r.nextInt(20_000);
        long imageUncached = r.nextInt(3) == 0 ? 0 : r.nextInt(20_000);
        long plain = r.nextInt(5) == 0 ? r.nextInt(300) : r.nextInt(400_000);
        long input = plain + cacheRead + cacheWrite + audioUncached + imageUncached;
        long outAudio = r.nextInt(3) == 0 ? 0 : r.nextInt(5_000);
        long reasoning = r.nextInt(3) == 0 ? 0 : r.nextInt(20_000);
        long outPlain = r.nextInt(50_000);
        long outImage = r.nextBoolean() ? 0 : r.nextInt((int) outPlain + 1);
        Map<String, Long> other = new LinkedHashMap<>();
        // durations may be fractional (12.6 billable seconds); the rest are whole counts
        other.put("cache_write_1h_tokens", cacheWrite1h);
        other.put("cache_image_read_tokens", cacheImageRead);
        other.put("input_image_tokens", imageUncached + cacheImageRead);
        other.put("output_image_tokens", outImage);
        other.put("web_searches", (long) r.nextInt(4));
        other.put("storage_searches", (long) r.nextInt(3));
        other.put("audio_seconds", (long) r.nextInt(120));
        other.put("input_audio_seconds", (long) r.nextInt(120));
        long pages = r.nextInt(50);
        other.put("input_document_pages", pages);
        other.put("input_annotated_document_pages", (long) r.nextInt((int) Math.min(pages, 10) + 1));
        other.put("input_text_messages", (long) r.nextInt(5));
        other.remove("audio_seconds");
        other.remove("input_audio_seconds");
        Map<String, BigDecimal> units = TokenUsage.units(other);
        int tenths = r.nextInt(1200);
        units.put("audio_seconds", BigDecimal.valueOf(tenths, 1));
        units.put("input_audio_seconds", BigDecimal.valueOf(r.nextInt(tenths + 1), 1));
        return new TokenUsage(input, cacheRead, cacheWrite, outPlain + outAudio + reasoning,
                audioUncached + cacheAudioRead, cacheAudioRead, outAudio, reasoning, units);
    }

    private static JsonNode runReference(List<Case> cases) throws IOException, InterruptedException {
        ArrayNode array = JSON.createArrayNode();
        for (Case c : cases) {
            ObjectNode o = array.addObject();
            o.put("provider", c.provider());
            o.put("model", c.model());
            o.put("at", c.at());
            if (c.custom() != null) {
                ObjectNode cp = o.putObject("custom");
                c.custom().forEach(cp::put);
            }
            ObjectNode u = o.putObject("usage");
            TokenUsage t = c.usage();
            u.put("input_tokens", t.inputTokens());
            u.put("cache_read_tokens", t.cacheReadTokens());
            u.put("cache_write_tokens", t.cacheWriteTokens());
            u.put("output_tokens", t.outputTokens());
            u.put("input_audio_tokens", t.inputAudioTokens());
            u.put("cache_audio_read_tokens", t.cacheAudioReadTokens());
            u.put("output_audio_tokens", t.outputAudioTokens());
            u.put("output_reasoning_tokens", t.outputReasoningTokens());
            t.otherUnits().forEach(u::put);
        }
        Path file = Files.createTempFile("price-cases", ".json");
        Path outFile = Files.createTempFile("price-results", ".json");
        try {
            Files.writeString(file, JSON.writeValueAsString(array));
            Process p = new ProcessBuilder(node(), "reference-cost.mjs", file.toAbsolutePath().toString())
                    .directory(NODE_DIR.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(outFile.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                fail("reference-cost.mjs failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
            }
            JsonNode result = JSON.readTree(outFile.toFile());
            assertThat(result.size()).isEqualTo(cases.size());
            return result;
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(outFile);
        }
    }

    private static String node() {
        return "node";
    }

    private static void ensureNodePackage() throws IOException, InterruptedException {
        try {
            Process v = new ProcessBuilder(node(), "--version").redirectErrorStream(true).start();
            String version = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (v.waitFor() != 0) {
                fail("`node --version` failed: " + version + ". Install Node.js 20+ to run the price conformance test.");
            }
        } catch (IOException e) {
            fail("Node.js is not installed (no `node` on PATH). Install Node.js 20+ and npm to run the price "
                    + "conformance test against the reference @pydantic/genai-prices.", e);
        }
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/@pydantic/genai-prices"))) {
            // Never inheritIO: this JVM's stdin and stdout are Surefire's channel to Maven, and node sets an inherited
            // stdin non-blocking, which ends the fork with "std/in stream corrupted" (seen on a fresh clone).
            Path log = Files.createTempFile("npm-ci", ".log");
            try {
                Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                        .directory(NODE_DIR.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                    fail("`npm ci` in " + NODE_DIR.toAbsolutePath() + " failed; install Node.js 20+ with npm and network"
                            + " access to the npm registry. Its output:\n" + Files.readString(log));
                }
            } finally {
                Files.deleteIfExists(log);
            }
        }
    }
}
