package io.llmstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.health.HealthStatus;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo runs end to end on the real servers, as `scripts/demo` runs it, and its page shows in a real browser. */
class DemoTest {
    @Test
    void theDemoRunsADayOfTrafficAndWritesAReportAPersonCanSee(@TempDir Path dir) throws Exception {
        PostgresServer timescale = TestServers.timescale();
        String schema = "demo_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        StorageConfig config = StorageConfig.builder().environment(Map.of()).systemProperties(new Properties())
                .databaseUrl(timescale.databaseUrl())
                .set("DB_SCHEMA", schema)
                .redisUrl(TestServers.redis().uri())
                .kafkaBootstrapServers(TestServers.kafka().bootstrapServers())
                .set("KAFKA_TOPIC_PREFIX", schema + ".")
                .set("REDIS_KEY_PREFIX", schema + ":")
                .build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Path html = dir.resolve("report.html");

        long start = System.nanoTime();
        Demo.Result r = Demo.run(config, new PrintStream(bytes, true, StandardCharsets.UTF_8), html);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(took).as("the demo's time").isLessThan(Duration.ofMinutes(2));
        assertThat(r.health().status()).isEqualTo(HealthStatus.UP);
        // Every call was refused, answered from the cache, or sent to the LLM; every LLM call's event was stored.
        assertThat(r.calls()).isEqualTo(Demo.CALLS).isEqualTo(r.refusals() + r.cacheHits() + r.llmCalls());
        assertThat(r.refusals()).as("refusals").isPositive();
        assertThat(r.cacheHits()).as("cache hits").isPositive();
        assertThat(r.errors()).as("failed LLM calls").isPositive();
        assertThat(r.published()).isEqualTo(r.llmCalls());
        assertThat(r.stored()).isEqualTo(r.published());
        assertThat(r.spentUsd()).isPositive();
        assertThat(r.savedUsd()).isPositive();
        assertThat(out).contains("cost and tokens by model", "cost per hour (llm_usage_hourly)", "hit rate", "calls refused",
                String.format(java.util.Locale.ROOT, "%,d published, %,d stored", r.published(), r.stored()), "overall UP", "report: " + html.toUri())
                .contains(Demo.usd(r.spentUsd()), Demo.usd(r.savedUsd()))
                .doesNotContain(timescale.password());
        // One precision for money everywhere: four decimals after every dollar sign, printed and on the page.
        String page = Files.readString(html);
        for (String text : List.of(out, page)) {
            Matcher m = Pattern.compile("\\$(\\d+)\\.?(\\d*)").matcher(text);
            int amounts = 0;
            while (m.find()) {
                assertThat(m.group(2)).as("decimals of %s", m.group()).hasSize(4);
                amounts++;
            }
            assertThat(amounts).isGreaterThan(10);
        }
        assertThat(page).contains("<svg id=\"cost-per-hour\"", "<svg id=\"cache-savings\"", "gpt-4o-mini")
                .contains("failed LLM calls<b>" + String.format(java.util.Locale.ROOT, "%,d", r.errors()) + "</b>")
                .contains("<tr class=\"total\"><td>total</td><td>" + String.format(java.util.Locale.ROOT, "%,d", r.llmCalls()));
        // The y axes' grid lines sit at round amounts: the first above $0 is 1, 2, 2.5 or 5 times a power of ten.
        for (String chart : List.of("cost-per-hour", "cache-savings")) {
            String svg = page.substring(page.indexOf("<svg id=\"" + chart + "\""));
            Matcher tick = Pattern.compile("text-anchor=\"end\">\\$([0-9.]+)<").matcher(svg);
            assertThat(tick.find() && tick.find()).as("two y labels on %s", chart).isTrue();
            assertThat(tick.group(1)).as("first grid line above $0 on %s", chart).matches("0\\.0*(1|2|25|5)0*|[1-9]0*\\.0000|25?0*\\.0000");
        }

        BufferedImage shot = ImageIO.read(screenshot(html, dir.resolve("report.png")));
        Set<Integer> colors = new HashSet<>();
        long inked = 0;
        for (int y = 0; y < shot.getHeight(); y += 2) {
            for (int x = 0; x < shot.getWidth(); x += 2) {
                int rgb = shot.getRGB(x, y) & 0xffffff;
                colors.add(rgb);
                inked += rgb == 0xffffff ? 0 : 1;
            }
        }
        long sampled = (long) (shot.getHeight() / 2) * (shot.getWidth() / 2);
        assertThat(inked * 100 / sampled).as("percent of the page that is not blank").isGreaterThanOrEqualTo(3);
        assertThat(colors).as("colours on the page (text, four models' bars, grid)").hasSizeGreaterThan(8);
    }

    /** A headless Chromium screenshot of {@code html}; fails, saying how to install one, when there is none. */
    private static File screenshot(Path html, Path png) throws Exception {
        String chromium = Stream.of(System.getenv("LLMSTORE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser")
                .filter(p -> p != null && Files.isExecutable(Path.of(p))).findFirst()
                .orElseThrow(() -> new IllegalStateException("no Chromium to look at the demo's page: apt-get install -y"
                        + " chromium (scripts/test does), or set LLMSTORE_CHROMIUM to a Chrome/Chromium binary"));
        Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--window-size=1100,1400", "--screenshot=" + png, html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(png.resolveSibling("chromium.log").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(png).as("screenshot (chromium log: %s)", Files.readString(png.resolveSibling("chromium.log")))
                .isNotEmptyFile();
        return png.toFile();
    }
}
