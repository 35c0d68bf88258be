package io.llmstore.core.config;

import java.util.Locale;

/** PostgreSQL {@code sslmode}, as pgjdbc and libpq spell it. */
public enum SslMode {
    DISABLE, ALLOW, PREFER, REQUIRE, VERIFY_CA, VERIFY_FULL;

    /** The spelling PostgreSQL uses: {@code verify-full}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@code disable|allow|prefer|require|verify-ca|verify-full}; null when it is none of them. */
    static SslMode parse(String text) {
        for (SslMode mode : values()) {
            if (mode.value().equalsIgnoreCase(text.trim())) {
                return mode;
            }
        }
        return null;
    }
}
