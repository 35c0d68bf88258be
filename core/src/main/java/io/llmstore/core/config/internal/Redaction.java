package io.llmstore.core.config.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Masks credentials inside URLs and free text before they reach a message, a log line or toString. */
public final class Redaction {
    /**
     * Group 1: scheme://, group 2: everything up to the last '@' of the same whitespace-free run. Greedy on purpose:
     * a password with a raw '@' ({@code u:p@ss@host}) must be masked whole, never up to its first '@' only, so a URL
     * whose query or path also holds an '@' is over-masked rather than leaking part of a secret.
     */
    private static final Pattern USERINFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.:-]*://)(\\S*)@");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&\\s]*");
    private static final String MASK = "******";

    private Redaction() {
    }

    /**
     * The URL with any password replaced by a mask: {@code postgresql://app:******@db:5432/x}. A user-info without a
     * colon is masked too, since {@code redis://secret@host} puts the password there; {@code password=} query
     * parameters (pgjdbc's {@code sslpassword} included) are masked as well.
     */
    public static String maskUrl(String url) {
        if (url == null) {
            return null;
        }
        Matcher m = USERINFO.matcher(url);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String userinfo = m.group(2);
            int colon = userinfo.indexOf(':');
            String user = colon >= 0 ? userinfo.substring(0, colon) : "";
            boolean userIsPlain = colon >= 0 && user.indexOf('/') < 0 && user.indexOf('?') < 0 && user.indexOf('#') < 0;
            String replacement = userIsPlain
                    ? m.group(1) + user + ":" + MASK + "@"
                    : m.group(1) + (userinfo.isEmpty() ? "" : MASK) + "@";
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return PASSWORD_PARAM.matcher(out).replaceAll("$1" + MASK);
    }

    /** Replaces every occurrence of {@code secret} in {@code text} (driver messages may echo it). */
    public static String scrub(String text, String secret) {
        if (text == null || secret == null || secret.isEmpty()) {
            return text;
        }
        return text.replace(secret, MASK);
    }
}
