package io.llmstore.core.config.internal;

import io.llmstore.core.error.ConfigException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits connection URLs into parts; never puts the raw URL in a message (callers mask it). */
public final class ConnectionUrls {
    private static final Pattern URL = Pattern.compile(
            "(?<scheme>[a-zA-Z][a-zA-Z0-9+.:-]*)://(?:(?<userinfo>.*)@)?(?<host>\\[[^\\]]+\\]|[^:/?#@]+)"
                    + "(?::(?<port>[^/?#]*))?(?:/(?<path>[^?#]*))?(?:\\?(?<query>[^#]*))?");
    /**
     * What RFC 3986 allows in a user-info: unreserved, sub-delims, ':' and %XX escapes (non-ASCII passes too, it
     * cannot be mistaken for a delimiter). Anything else (a raw '@', '/', '?', '#', '[', ']', '%', space) means the
     * password was pasted without percent-encoding, and the URL may already have been split in the wrong place.
     */
    private static final Pattern USERINFO = Pattern.compile("(?:[A-Za-z0-9\\-._~!$&'()*+,;=:\\x{80}-\\x{10FFFF}]|%[0-9A-Fa-f]{2})*");

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
        @Override
        public String toString() {
            return "Parts{scheme=" + scheme + ", user=" + user + ", password=" + (password == null ? "none" : "******")
                    + ", host=" + host + ", port=" + port + ", path=" + path + ", query=" + query.keySet() + "}";
        }
    }

    /**
     * The parts, or null when the text is not a URL of the form {@code scheme://[user[:pass]@]host[:port][/path][?query]}.
     *
     * @param variable how to name the value in an error, e.g. {@code DATABASE_URL (environment)}
     * @throws ConfigException when the user-info is not percent-encoded (a raw '@' or '/', a '%' not followed by two
     *                         hex digits) or a query parameter has a bad '%' escape; the message names {@code variable}
     *                         and the fix and holds no character of the URL, which may carry a password
     */
    public static Parts parse(String url, String variable) {
        Matcher m = URL.matcher(url.trim());
        if (!m.matches()) {
            return null;
        }
        String user = null;
        String password = null;
        String userinfo = m.group("userinfo");
        if (userinfo != null) {
            if (!USERINFO.matcher(userinfo).matches()) {
                throw notEncoded(variable);
            }
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
                String key = decodeParameter(eq < 0 ? pair : pair.substring(0, eq), variable, "a parameter name");
                String value = eq < 0 ? "" : decodeParameter(pair.substring(eq + 1), variable, "parameter " + key);
                query.put(key, value);
            }
        }
        return new Parts(m.group("scheme").toLowerCase(Locale.ROOT), emptyToNull(user), password, host,
                emptyToNull(m.group("port")), emptyToNull(m.group("path")), query);
    }

    private static ConfigException notEncoded(String variable) {
        // No cause: URLDecoder's message quotes the text it failed on, which is the password.
        return new ConfigException(variable + " has credentials (user:password before the '@') that are not "
                + "percent-encoded: a '%' must start a two-hex-digit escape, and '@', '/', '?', '#', '[', ']', '%' or a "
                + "space must be written %40, %2F, %3F, %23, %5B, %5D, %25, %20. Percent-encode the password, or leave "
                + "it out of the URL and set DB_PASSWORD (PostgreSQL). The value is not shown: it holds a secret");
    }

    private static String decodeParameter(String s, String variable, String what) {
        try {
            return decode(s);
        } catch (IllegalArgumentException e) {
            // Parameters may hold secrets too (pgjdbc's sslpassword): name the parameter, never its text.
            throw new ConfigException(variable + " has a bad '%' escape in " + what
                    + ": a '%' must be followed by two hex digits (write a literal '%' as %25)");
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
