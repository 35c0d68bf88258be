package io.llmstore.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.config.CoreSettings;
import io.llmstore.core.gateway.GatewaySettings;
import io.llmstore.core.config.Setting;
import io.llmstore.kafka.KafkaSettings;
import io.llmstore.redis.RedisSettings;
import io.llmstore.timescale.TimescaleSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The configuration reference (docs/configuration.md) lists every variable with the default the code really uses. */
class ConfigurationReferenceTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Z][A-Z0-9_<>]*)` \\| ([^|]*) \\|");

    static List<Setting> allSettings() {
        List<Setting> all = new ArrayList<>(CoreSettings.ALL);
        all.addAll(TimescaleSettings.ALL);
        all.addAll(RedisSettings.ALL);
        all.addAll(KafkaSettings.ALL);
        all.addAll(GatewaySettings.ALL);
        return all;
    }

    @Test
    void everySettingIsInTheConfigurationReferenceWithItsRealDefault() throws IOException {
        Map<String, String> documented = referenceRows();

        for (Setting setting : allSettings()) {
            assertThat(documented).as("docs/configuration.md row for " + setting.name()).containsKey(setting.name());
            String expected = setting.defaultText() == null ? "—"
                    : setting.defaultText().isEmpty() ? "(empty)" : "`" + setting.defaultText() + "`";
            assertThat(documented.get(setting.name())).as("docs/configuration.md default of " + setting.name()).isEqualTo(expected);
        }
    }

    @Test
    void theConfigurationReferenceDocumentsNoVariableTheCodeDoesNotKnow() throws IOException {
        List<String> known = allSettings().stream().map(Setting::name).toList();

        for (String name : referenceRows().keySet()) {
            if (!name.contains("<")) {
                assertThat(known).as("docs/configuration.md documents " + name + " but no Setting declares it").contains(name);
            }
        }
    }

    private static Map<String, String> referenceRows() throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("..", "docs", "configuration.md"))) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                rows.put(m.group(1), m.group(2).trim());
            }
        }
        return rows;
    }
}
