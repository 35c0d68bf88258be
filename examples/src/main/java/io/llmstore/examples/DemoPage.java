package io.llmstore.examples;

import io.llmstore.core.usage.ModelUsage;
import io.llmstore.core.usage.UsageBucket;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The demo's report as one self-contained HTML page: summary figures, two inline SVG charts, the model table. */
final class DemoPage {
    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#e15759", "#76b7b2"};
    private static final int WIDTH = 960;
    private static final int HEIGHT = 300;
    private static final int LEFT = 70;
    private static final int BOTTOM = 40;
    private static final int TOP = 20;

    private DemoPage() {
    }

    static void write(Path file, Demo.Result r, List<ModelUsage> byModel, List<UsageBucket> hourly,
                      Map<Instant, BigDecimal> savedByHour) throws IOException {
        // 24 hourly columns ending with the current hour, so both charts share one x axis.
        TreeSet<Instant> hours = new TreeSet<>();
        hourly.forEach(b -> hours.add(b.bucketStart()));
        hours.addAll(savedByHour.keySet());
        Instant last = hours.isEmpty() ? Instant.now().truncatedTo(ChronoUnit.HOURS) : hours.last();
        List<Instant> axis = new ArrayList<>();
        for (int i = 24; i >= 0; i--) {
            axis.add(last.minus(i, ChronoUnit.HOURS));
        }
        Map<String, Map<Instant, BigDecimal>> costs = new LinkedHashMap<>();
        byModel.forEach(m -> costs.put(m.modelId(), new TreeMap<>()));
        hourly.forEach(b -> costs.computeIfAbsent(b.modelId(), k -> new TreeMap<>())
                .merge(b.bucketStart(), b.costUsd(), BigDecimal::add));

        int answered = r.llmCalls() + r.cacheHits();
        StringBuilder h = new StringBuilder(32_000);
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>llmstore demo report</title>")
                .append("<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fff}")
                .append("h1{font-size:22px}h2{font-size:17px;margin-top:28px}.cards{display:flex;gap:12px;flex-wrap:wrap}")
                .append(".card{border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:130px}")
                .append(".card b{display:block;font-size:20px}table{border-collapse:collapse}")
                .append("td,th{padding:4px 12px;border-bottom:1px solid #eee;text-align:right}td:first-child,th:first-child")
                .append("{text-align:left}.legend span{display:inline-block;margin-right:16px}tr.total td{font-weight:600}")
                .append(".sw{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-1px}")
                .append(".sub{color:#666;margin-top:-8px}</style>")
                .append("</head><body><h1>llmstore demo: a day of LLM traffic</h1><p class=\"sub\">")
                .append(String.format(Locale.ROOT, "%,d calls of %d users to %d models, the 24 hours to %s UTC",
                        r.calls(), Demo.USERS, byModel.size(), last.plus(1, ChronoUnit.HOURS).toString()
                                .substring(0, 16).replace('T', ' ')))
                .append("</p><div class=\"cards\">");
        card(h, "calls", String.format(Locale.ROOT, "%,d", r.calls()));
        card(h, "sent to the LLM", String.format(Locale.ROOT, "%,d", r.llmCalls()));
        card(h, "spent", Demo.usd(r.spentUsd()));
        card(h, "cache hit rate", String.format(Locale.ROOT, "%.1f%%", answered == 0 ? 0.0 : 100.0 * r.cacheHits() / answered));
        card(h, "saved by the cache", Demo.usd(r.savedUsd()));
        card(h, "failed LLM calls", String.format(Locale.ROOT, "%,d", r.errors()));
        card(h, "refused by rate limits", String.format(Locale.ROOT, "%,d", r.refusals()));
        card(h, "events published / stored", String.format(Locale.ROOT, "%,d / %,d", r.published(), r.stored()));
        h.append("</div>");

        h.append("<h2>Cost per hour by model (llm_usage_hourly)</h2>");
        legend(h, new ArrayList<>(costs.keySet()));
        h.append(chart(axis, costs, "cost-per-hour", 0));
        h.append("<h2>Saved per hour by the response cache</h2>");
        Map<String, Map<Instant, BigDecimal>> savings = new LinkedHashMap<>();
        savings.put("saved", savedByHour);
        h.append(chart(axis, savings, "cache-savings", 2));

        h.append("<h2>By model</h2><table><tr><th>model</th><th>requests</th><th>tokens</th><th>cost</th></tr>");
        for (ModelUsage m : byModel) {
            h.append("<tr><td>").append(escape(m.modelId())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,d", m.requests())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,d", m.tokenTotal())).append("</td><td>")
                    .append(Demo.usd(m.costUsd())).append("</td></tr>");
        }
        h.append("<tr class=\"total\"><td>total</td><td>")
                .append(String.format(Locale.ROOT, "%,d", byModel.stream().mapToLong(ModelUsage::requests).sum()))
                .append("</td><td>")
                .append(String.format(Locale.ROOT, "%,d", byModel.stream().mapToLong(ModelUsage::tokenTotal).sum()))
                .append("</td><td>").append(Demo.usd(byModel.stream().map(ModelUsage::costUsd)
                        .reduce(BigDecimal.ZERO, BigDecimal::add))).append("</td></tr>");
        h.append("</table><p>Health: ").append(r.health().status()).append(". Money in US dollars, four decimals.</p>")
                .append("</body></html>\n");
        Files.writeString(file, h, StandardCharsets.UTF_8);
    }

    /** Stacked bars: one column per hour of {@code axis}, one colour per series from {@code firstColor} on. */
    private static String chart(List<Instant> axis, Map<String, Map<Instant, BigDecimal>> series, String id,
                                int firstColor) {
        double max = 0;
        for (Instant hour : axis) {
            double total = 0;
            for (Map<Instant, BigDecimal> s : series.values()) {
                total += s.getOrDefault(hour, BigDecimal.ZERO).doubleValue();
            }
            max = Math.max(max, total);
        }
        // Grid lines at round amounts (1, 2, 2.5 or 5 times a power of ten), the axis's top at the first one above
        // the tallest bar, so a reader reads $0.10 and $0.20 rather than a quarter of the maximum.
        double step = niceStep(max == 0 ? 1 : max / 4);
        int ticks = (int) Math.max(1, Math.ceil(max / step - 1e-9));
        max = step * ticks;
        int plotW = WIDTH - LEFT - 10;
        int plotH = HEIGHT - TOP - BOTTOM;
        double col = (double) plotW / axis.size();
        StringBuilder svg = new StringBuilder();
        svg.append("<svg id=\"").append(id).append("\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" role=\"img\">");
        for (int tick = 0; tick <= ticks; tick++) { // y grid and labels
            double y = TOP + plotH - plotH * tick / (double) ticks;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>",
                    LEFT, y, WIDTH - 10, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                    LEFT - 6, y + 4, Demo.usd(BigDecimal.valueOf(step).multiply(BigDecimal.valueOf(tick)))));
        }
        for (int i = 0; i < axis.size(); i++) {
            Instant hour = axis.get(i);
            double x = LEFT + i * col + col * 0.15;
            double y = TOP + plotH;
            int c = firstColor;
            for (Map.Entry<String, Map<Instant, BigDecimal>> s : series.entrySet()) {
                double v = s.getValue().getOrDefault(hour, BigDecimal.ZERO).doubleValue();
                double hgt = plotH * v / max;
                y -= hgt;
                if (hgt > 0) {
                    svg.append(String.format(Locale.ROOT,
                            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s %s: %s</title></rect>",
                            x, y, col * 0.7, hgt, COLORS[c % COLORS.length], hour.toString().substring(11, 16),
                            escape(s.getKey()), Demo.usd(s.getValue().get(hour))));
                }
                c++;
            }
            if (i % 3 == 0) {
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                        LEFT + i * col + col / 2, HEIGHT - BOTTOM + 16, hour.toString().substring(11, 16)));
            }
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>",
                LEFT, TOP + plotH, WIDTH - 10, TOP + plotH));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">hour (UTC)</text>", LEFT,
                HEIGHT - 6));
        return svg.append("</svg>").toString();
    }

    /** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least {@code raw}. */
    static double niceStep(double raw) {
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * power >= raw * (1 - 1e-9)) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static void legend(StringBuilder h, List<String> names) {
        h.append("<div class=\"legend\">");
        for (int i = 0; i < names.size(); i++) {
            h.append("<span><i class=\"sw\" style=\"background:").append(COLORS[i % COLORS.length]).append("\"></i>")
                    .append(escape(names.get(i))).append("</span>");
        }
        h.append("</div>");
    }

    private static void card(StringBuilder h, String label, String value) {
        h.append("<div class=\"card\">").append(escape(label)).append("<b>").append(escape(value)).append("</b></div>");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
