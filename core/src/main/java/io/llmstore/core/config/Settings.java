package io.llmstore.core.config;

import io.llmstore.core.config.internal.ConfigLayer;
import io.llmstore.core.config.internal.Durations;
import io.llmstore.core.config.internal.Redaction;
import io.llmstore.core.error.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every configuration value, resolved through one precedence order: builder values, system properties,
 * environment, the {@code .env} file, the YAML file, then the setting's default.
 *
 * <p>Typed getters fail with a {@link ConfigException} that names the variable, where it came from, the
 * expected form and the value (masked for secret settings). Immutable and thread-safe.
 */
public final class Settings {
    private final List<ConfigLayer> layers;

    /** Layers in precedence order, highest first. */
    Settings(List<ConfigLayer> layers) {
        this.layers = List.copyOf(layers);
    }

    /**
     * A value and the layer that supplied it. {@link #toString()} masks it when it may be a secret: a secret core
     * setting ({@code DATABASE_URL}, {@code DB_PASSWORD}, {@code DB_READ_URL}, {@code REDIS_URL}) or any variable
     * whose name ends in PASSWORD, SECRET, TOKEN, CREDENTIALS, PASSPHRASE, _URL, _URI or _DSN; any other value is shown
     * with credentials inside URLs masked. {@link #text()} gives the raw value.
     *
     * @param name   the variable
     * @param text   the raw value, trimmed
     * @param origin where it came from: "environment", "postgres.port in YAML file /app/llmstore.yml"
     */
    public record Value(String name, String text, String origin) {
        @Override
        public String toString() {
            return name + "=" + (isSecretName(name) ? "******" : Redaction.maskUrl(text)) + " (" + origin + ")";
        }
    }

    /** True when values of the variable {@code name} must never print; see {@link Value}. */
    static boolean isSecretName(String name) {
        return SECRET_NAMES.contains(name) || SECRET_NAME.matcher(name).find();
    }

    private static final Set<String> SECRET_NAMES = CoreSettings.ALL.stream().filter(Setting::secret)
            .map(Setting::name).collect(Collectors.toUnmodifiableSet());
    private static final Pattern SECRET_NAME =
            Pattern.compile("(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIALS?|PASSPHRASE|_URL|_URI|_DSN)$");

    /** The raw value of {@code name} from the highest layer that sets it (blank counts as unset). */
    public Optional<Value> find(String name) {
        for (ConfigLayer layer : layers) {
            String text = layer.get(name);
            if (text != null && !text.isBlank()) {
                return Optional.of(new Value(name, text.trim(), layer.describe(name)));
            }
        }
        return Optional.empty();
    }

    /** True when any layer sets {@code name}. */
    public boolean isSet(String name) {
        return find(name).isPresent();
    }

    public Optional<String> string(Setting setting) {
        return find(setting.name()).map(Value::text).or(() -> Optional.ofNullable(setting.defaultText()));
    }

    /** The value, or a {@link ConfigException} saying the setting is required and how to give it. */
    public String required(Setting setting, String why) {
        return string(setting).orElseThrow(() -> new ConfigException(
                setting.name() + " is required " + why + "; set the environment variable " + setting.name()
                        + " (or its YAML key)"));
    }

    public Optional<Secret> secret(Setting setting) {
        return find(setting.name()).map(v -> Secret.of(v.text()));
    }

    /** An integer {@code >= min}. */
    public int intValue(Setting setting, int min) {
        long value = longValue(setting, min);
        if (value > Integer.MAX_VALUE) {
            throw invalid(setting, "an integer <= " + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    /** A long {@code >= min}. */
    public long longValue(Setting setting, long min) {
        String text = text(setting);
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw invalid(setting, "an integer >= " + min);
        }
        if (value < min) {
            throw invalid(setting, "an integer >= " + min);
        }
        return value;
    }

    /** A decimal number within {@code [min, max]}. */
    public double doubleValue(Setting setting, double min, double max) {
        String text = text(setting);
        double value;
        try {
            value = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw invalid(setting, "a number between " + min + " and " + max);
        }
        if (!(value >= min && value <= max)) {
            throw invalid(setting, "a number between " + min + " and " + max);
        }
        return value;
    }

    /** A boolean: true/false, yes/no, on/off, 1/0. */
    public boolean booleanValue(Setting setting) {
        String text = text(setting).toLowerCase(Locale.ROOT);
        switch (text) {
            case "true", "yes", "on", "1":
                return true;
            case "false", "no", "off", "0":
                return false;
            default:
                throw invalid(setting, "true or false");
        }
    }

    /** A positive duration: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, ISO-8601, or whole seconds. */
    public Duration duration(Setting setting) {
        Duration value = Durations.parse(text(setting));
        if (value == null || value.isNegative()) {
            throw invalid(setting, "a duration such as 250ms, 30s, 5m, 2h or a number of seconds");
        }
        return value;
    }

    /** One of the enum's constants, matched case-insensitively with '-' for '_'. */
    public <E extends Enum<E>> E enumValue(Setting setting, Class<E> type) {
        String text = text(setting).trim().replace('-', '_').toUpperCase(Locale.ROOT);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(text)) {
                return constant;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            allowed.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw invalid(setting, "one of " + String.join("|", allowed));
    }

    /** A ConfigException for {@code setting}: "DB_PORT (environment) must be an integer >= 1, was 'abc'". */
    public ConfigException invalid(Setting setting, String expected) {
        Optional<Value> value = find(setting.name());
        String origin = value.map(v -> " (" + v.origin() + ")").orElse(" (default)");
        String shown = value.map(Value::text).orElse(setting.defaultText());
        String was = setting.secret() ? "" : ", was '" + shown + "'";
        return new ConfigException(setting.name() + origin + " must be " + expected + was);
    }

    private String text(Setting setting) {
        return find(setting.name()).map(Value::text)
                .or(() -> Optional.ofNullable(setting.defaultText()))
                .orElseThrow(() -> new ConfigException(setting.name() + " is required but not set"));
    }

    /** Where each layer comes from, highest precedence first; for {@code toString()} of configs. */
    public List<String> sources() {
        List<String> names = new ArrayList<>();
        for (ConfigLayer layer : layers) {
            names.add(layer.name());
        }
        return names;
    }

    @Override
    public String toString() {
        return "Settings" + sources();
    }

    static Settings of(List<ConfigLayer> layers) {
        Objects.requireNonNull(layers, "layers");
        return new Settings(layers);
    }
}
