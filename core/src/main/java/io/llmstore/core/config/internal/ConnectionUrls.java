package io.llmstore.core.config.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits connection URLs into parts; never puts the raw URL in a message (callers mask it). */
public final class ConnectionUrls {
    private static final Pattern URL = Pattern.compile(
            "(?<scheme>[a-zA-Z][a-zA-Z0-9+.:-]*)://(?:(?<userinfo>.*)@)?(?<host>\\[[^\\]]+\\]|[^:/?#@]+)"
                    + "(?::(?<port>[^/?#]*))?(?:/(?<path>[^?#]*))?(?:\\?(?<query>[^#]*))?");

    private ConnectionUrls() {
    }

    /**
     * The parts of a URL.
     *
     * @param scheme   lower-case scheme ({@code postgresql}, {@code jdbc:postgresql}, {@code redis})
     * @param user     decoded user or null
     * @param password decoded password or null
     * @param host     host (brackets removed for IPv6)
     * @param port     port text or null
     * @param path     path without the leading slash, or null
     * @param query    decoded query parameters in order
     */
    public record Parts(String scheme, String user, String password, String host, String port, String path,
                        Map<String, String> query) {
    }

    /** The parts, or null when the text is not a URL of the form {@code scheme://[user[:pass]@]host[:port][/path][?query]}. */
    public static Parts parse(String url) {
        Matcher m = URL.matcher(url.trim());
        if (!m.matches()) {
            return null;
        }
        String user = null;
        String password = null;
        String userinfo = m.group("userinfo");
        if (userinfo != null) {
            int colon = userinfo.indexOf(':');
            if (colon >= 0) {
                user = decode(userinfo.substring(0, colon));
                password = decode(userinfo.substring(colon + 1));
            } else {
                user = decode(userinfo);
            }
        }
        String host = m.group("host");
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        Map<String, String> query = new LinkedHashMap<>();
        String q = m.group("query");
        if (q != null && !q.isEmpty()) {
            for (String pair : q.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                query.put(key, value);
            }
        }
        return new Parts(m.group("scheme").toLowerCase(java.util.Locale.ROOT), emptyToNull(user), password, host,
                emptyToNull(m.group("port")), emptyToNull(m.group("path")), query);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
