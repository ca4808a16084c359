package org.tessera.synth;

import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Charts with labelled values: vertical bars, horizontal bars and lines, one series each, a title, a unit label, a
 * value axis with ticks and grid lines, category labels, and the value written at every bar or point. A value is
 * named by its category label, which appears once.
 */
final class ChartGenerator extends Generator {
    ChartGenerator(Rng rng, SynthOptions o) {
        super(rng, o);
    }

    @Override
    Kind kind() {
        return Kind.CHARTS;
    }

    private enum Type { BARS, HBARS, LINE }

    @Override
    void draw() {
        Type type = o.easy() ? Type.BARS : rng.pick(Type.BARS, Type.BARS, Type.HBARS, Type.LINE, Type.LINE);
        int l = longSide();
        double aspect = rng.pick(4 / 3.0, 16 / 9.0, 1.0, 3 / 4.0, 3 / 2.0);
        int w = aspect >= 1 ? l : (int) Math.round(l * aspect);
        int h = aspect >= 1 ? (int) Math.round(l / aspect) : l;
        FontBook face = rng.chance(0.8) ? FontBook.SANS : FontBook.SERIF;
        FontBook bold = face.bold();
        double mx = w * rng.uniform(0.05, 0.08);
        double my = h * rng.uniform(0.05, 0.08);
        double cw = w - 2 * mx;
        double ch = h - 2 * my;
        int nWant = type == Type.LINE ? rng.range(5, 12) : o.easy() ? rng.range(3, 6) : rng.range(3, 12);
        double capW = cw / (nWant * (type == Type.HBARS ? 2.5 : 7.5));
        double capH = ch / (type == Type.HBARS ? nWant * 2.2 + 8 : 24);
        double body = bodyPx(Math.min(capW, capH));
        Color ink = ink();
        Color accent = accent();
        Color paper = paper();
        page = new Page(w, h, paper, angle());

        // categories and values
        String dim;
        List<String> pool;
        boolean ordered = type == Type.LINE || rng.chance(0.3);
        if (ordered) {
            switch (rng.nextInt(3)) {
                case 0 -> {
                    dim = "year";
                    int start = rng.range(1995, 2024 - nWant + 1);
                    pool = new ArrayList<>();
                    for (int i = 0; i < nWant; i++) pool.add(Integer.toString(start + i));
                }
                case 1 -> {
                    dim = "month";
                    int start = rng.nextInt(12);
                    pool = new ArrayList<>();
                    for (int i = 0; i < Math.min(nWant, 12); i++) pool.add(Words.MONTHS.get((start + i) % 12));
                }
                default -> {
                    dim = "quarter";
                    int year = rng.range(2010, 2022);
                    pool = new ArrayList<>();
                    for (int i = 0; i < nWant; i++) pool.add("Q" + (i % 4 + 1) + " " + (year + i / 4));
                }
            }
        } else {
            switch (rng.nextInt(4)) {
                case 0 -> { dim = "region"; pool = rng.sample(Words.REGIONS, nWant); }
                case 1 -> { dim = "country"; pool = rng.sample(Words.COUNTRIES, nWant); }
                case 2 -> { dim = "department"; pool = rng.sample(Words.DEPARTMENTS, nWant); }
                default -> { dim = "product"; pool = rng.sample(Words.PRODUCTS.stream().filter(p -> p.length() <= 11).toList(), nWant); }
            }
        }
        boolean decimals = !o.easy() && rng.chance(0.3);
        double top = rng.pick(10.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 5000.0, 20000.0);
        if (decimals && top > 1000) top = 1000;
        double valueW = Page.advance(decimals ? String.format(Locale.ROOT, "%.1f", top) : grouped((long) top), face, body);
        // vertical bars and lines: every category label and value must fit its slot; drop categories until they do
        if (type != Type.HBARS) {
            double plotW = cw - valueW - body;
            while (pool.size() > 3 && widest(pool, face, body, valueW) > plotW / pool.size() * 0.9) pool.remove(pool.size() - 1);
            if (widest(pool, face, body, valueW) > plotW / pool.size() * 0.9) type = Type.HBARS;
        }
        if (type == Type.HBARS) {
            double plotH = ch - 11 * body;
            while (pool.size() > 2 && plotH / pool.size() < body * 1.8) pool.remove(pool.size() - 1);
        }
        int n = pool.size();
        long[] vals = new long[n]; // in tenths when decimals
        for (int i = 0; i < n; i++) {
            double v = rng.uniform(top * 0.08, top);
            vals[i] = decimals ? Math.round(v * 10) : Math.max(1, Math.round(v));
        }
        String[] labels = new String[n];
        for (int i = 0; i < n; i++) labels[i] = decimals ? String.format(Locale.ROOT, "%d.%d", vals[i] / 10, vals[i] % 10) : grouped(vals[i]);
        double vmax = 0;
        for (long v : vals) vmax = Math.max(vmax, decimals ? v / 10.0 : v);
        // value axis: about five ticks, fewer when their labels would crowd
        double room = type == Type.HBARS ? cw - widest(pool, face, body, 0) - valueW - 2 * body : ch - 11 * body;
        double need = type == Type.HBARS ? Page.advance(grouped((long) (vmax * 1.2)) + "0", face, body) * 1.3 : body * 1.9;
        double step = niceStep(vmax * 1.15 / 5);
        for (int k = 4; k >= 1 && room / Math.ceil(vmax * 1.12 / step) < need; k--) {
            step = niceStep(vmax * 1.15 / k);
        }
        double axisMax = Math.ceil(vmax * 1.12 / step) * step;
        boolean tickLabels = room / Math.ceil(vmax * 1.12 / step) >= need; // else the grid speaks alone

        List<String> metrics = new ArrayList<>(Words.METRICS);
        metrics.removeAll(pool);
        String metric = rng.pick(metrics);
        String unit = rng.pick("", " (units)", " (thousands)", " (%)");
        if (unit.equals(" (%)") && axisMax > 100) unit = "";
        String title = switch (rng.nextInt(3)) {
            case 0 -> metric + " by " + dim;
            case 1 -> rng.pick(Words.TITLE_A) + " " + metric.toLowerCase(Locale.ROOT);
            default -> ordered ? metric + " per " + dim : metric + " per " + dim + ", " + rng.range(2015, 2024);
        };
        double tc = larger(body, rng.uniform(1.3, 2.0));
        while (tc > body && Page.advance(title, bold, tc) > cw) tc = clampPx(tc * 0.9);
        title = fit(title, cw, bold, tc);
        double y = my;
        TextItem titleItem = rng.chance(0.5) ? page.textCenter(title, w / 2.0, y + tc, bold, tc, ink, "title")
                : page.text(title, mx, y + tc, bold, tc, ink, "title");
        y += tc * 2;
        page.text(metric + unit, mx, y + body, face, body, grey(ink), "unit");
        y += body * 2.5;

        // plot area
        String[] ticks = new String[(int) Math.round(axisMax / step) + 1];
        for (int i = 0; i < ticks.length; i++) {
            double t = i * step;
            ticks[i] = step < 1 ? String.format(Locale.ROOT, "%.1f", t) : grouped(Math.round(t));
        }
        Color barColor = accent;
        Color gridColor = tint(ink, 0.85);
        List<TextItem> catItems = new ArrayList<>();
        List<TextItem> valItems = new ArrayList<>();
        double plotBottom = h - my - body * 2.6;
        boolean grid = rng.chance(0.7);
        if (type == Type.HBARS) {
            double labW = 0;
            for (String c : pool) labW = Math.max(labW, Page.advance(c, face, body));
            double plotLeft = mx + labW + body;
            double valW = 0;
            for (String v : labels) valW = Math.max(valW, Page.advance(v, face, body));
            double plotRight = w - mx - valW - body;
            double plotTop = y;
            double axisBottom = plotBottom;
            double slot = (axisBottom - plotTop) / n;
            double thick = slot * rng.uniform(0.5, 0.8);
            for (int i = 0; i < ticks.length; i++) {
                double gx = plotLeft + (plotRight - plotLeft) * i / (ticks.length - 1);
                if (grid) page.line(gx, plotTop, gx, axisBottom, Math.max(0.6, body * 0.06), gridColor);
                if (tickLabels) page.textCenter(ticks[i], gx, axisBottom + body * 2, face, body, grey(ink), "tick");
            }
            for (int i = 0; i < n; i++) {
                double v = decimals ? vals[i] / 10.0 : vals[i];
                double cy = plotTop + slot * (i + 0.5);
                double len = (plotRight - plotLeft) * v / axisMax;
                page.fill(plotLeft, cy - thick / 2, len, thick, barColor);
                catItems.add(page.textRight(pool.get(i), plotLeft - body * 0.6, cy + body / 2, face, body, ink, "category"));
                valItems.add(page.text(labels[i], plotLeft + len + body * 0.4, cy + body / 2, face, body, ink, "value"));
            }
            page.line(plotLeft, plotTop, plotLeft, axisBottom, Math.max(1, body * 0.12), ink);
        } else {
            double tickW = 0;
            for (String t : ticks) tickW = Math.max(tickW, Page.advance(t, face, body));
            double plotLeft = mx + tickW + body;
            double plotRight = w - mx;
            double plotTop = y + body * 1.5;
            double slot = (plotRight - plotLeft) / n;
            for (int i = 0; i < ticks.length; i++) {
                double gy = plotBottom - (plotBottom - plotTop) * i / (ticks.length - 1);
                if (grid && i > 0) page.line(plotLeft, gy, plotRight, gy, Math.max(0.6, body * 0.06), gridColor);
                if (tickLabels) page.textRight(ticks[i], plotLeft - body * 0.6, gy + body / 2, face, body, grey(ink), "tick");
            }
            double[] px = new double[n];
            double[] py = new double[n];
            for (int i = 0; i < n; i++) {
                double v = decimals ? vals[i] / 10.0 : vals[i];
                px[i] = plotLeft + slot * (i + 0.5);
                py[i] = plotBottom - (plotBottom - plotTop) * v / axisMax;
            }
            if (type == Type.BARS) {
                double bw = slot * rng.uniform(0.45, 0.75);
                for (int i = 0; i < n; i++) {
                    page.fill(px[i] - bw / 2, py[i], bw, plotBottom - py[i], barColor);
                    valItems.add(page.textCenter(labels[i], px[i], py[i] - body * 0.6, face, body, ink, "value"));
                }
            } else {
                Path2D.Double path = new Path2D.Double();
                for (int i = 0; i < n; i++) {
                    if (i == 0) path.moveTo(px[i], py[i]);
                    else path.lineTo(px[i], py[i]);
                }
                page.stroke(path, Math.max(1.2, body * 0.25), barColor);
                double r = Math.max(1.5, body * 0.35);
                for (int i = 0; i < n; i++) page.fill(new Ellipse2D.Double(px[i] - r, py[i] - r, 2 * r, 2 * r), barColor);
                for (int i = 0; i < n; i++) {
                    valItems.add(page.textCenter(labels[i], px[i], py[i] - r - body * 0.7, face, body, ink, "value"));
                }
            }
            for (int i = 0; i < n; i++) {
                catItems.add(page.textCenter(pool.get(i), px[i], plotBottom + body * 2, face, body, ink, "category"));
            }
            page.line(plotLeft, plotBottom, plotRight, plotBottom, Math.max(1, body * 0.12), ink);
        }

        weight("value", 4);
        weight("title", 0.5);
        weight("highest", 0.7);
        weight("bar_label", 0.7);
        for (int i = 0; i < n; i++) {
            String c = catItems.get(i).text();
            ask("value", valItems.get(i), catItems.get(i), "What is the value for " + c + "?",
                    "What value does the chart show for " + c + "?", "How much is " + c + " in the chart?");
        }
        ask("title", titleItem, List.of(), "What is the title of the chart?", "What is the chart's title?");
        int best = 0;
        boolean unique = true;
        for (int i = 1; i < n; i++) {
            if (vals[i] > vals[best]) {
                best = i;
                unique = true;
            } else if (vals[i] == vals[best]) {
                unique = false;
            }
        }
        if (unique) ask("highest", catItems.get(best), List.of(), "Which " + dim + " has the highest value?");
        if (type != Type.LINE) {
            for (int i = 0; i < n; i++) {
                ask("bar_label", catItems.get(i), List.of(), "What is the label of the " + Words.ordinal(i + 1) + " bar"
                        + (type == Type.HBARS ? " from the top?" : " from the left?"));
            }
        }
    }

    private static double widest(List<String> labels, FontBook face, double body, double atLeast) {
        double m = atLeast;
        for (String c : labels) m = Math.max(m, Page.advance(c, face, body));
        return m;
    }

    /** 1, 2, 2.5 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= raw) return m * p;
        }
        return 10 * p;
    }
}
