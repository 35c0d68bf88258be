package io.llmstore.core.config.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Masks credentials inside URLs and free text before they reach a message, a log line or toString. */
public final class Redaction {
    /** Group 1: scheme://, group 2: user, group 3: ":password" (optional), then '@'. */
    private static final Pattern USERINFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.:-]*://)([^:@/?#\\s]*)(:[^@\\s]*)?@");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&\\s]*");
    private static final String MASK = "******";

    private Redaction() {
    }

    /**
     * The URL with any password replaced by a mask: {@code postgresql://app:******@db:5432/x}. A user-info without a
     * colon is masked too, since {@code redis://secret@host} puts the password there.
     */
    public static String maskUrl(String url) {
        if (url == null) {
            return null;
        }
        Matcher m = USERINFO.matcher(url);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String user = m.group(2);
            String replacement = m.group(3) != null
                    ? m.group(1) + user + ":" + MASK + "@"
                    : m.group(1) + (user.isEmpty() ? "" : MASK) + "@";
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
