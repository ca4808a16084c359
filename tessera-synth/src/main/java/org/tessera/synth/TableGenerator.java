package org.tessera.synth;

import java.awt.Color;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Tables: a title, a header row of column labels (years, quarters, months or measures), a first column of unique row
 * labels, numeric cells in one format per table (integers, decimals, percentages, money), sometimes a total row;
 * filled or ruled headers, stripes or grid lines; a source note. A cell is named by its row and column labels.
 */
final class TableGenerator extends Generator {
    TableGenerator(Rng rng, SynthOptions o) {
        super(rng, o);
    }

    @Override
    Kind kind() {
        return Kind.TABLES;
    }

    private record Dim(String header, List<String> labels) {}

    private Dim rowDim() {
        List<String> shortProducts = Words.PRODUCTS.stream().filter(p -> p.length() <= 12).toList();
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        for (int i = 0; i < 40; i++) names.add(person());
        List<String> people = new ArrayList<>(names);
        return switch (o.easy() ? rng.nextInt(3) : rng.nextInt(7)) {
            case 0 -> new Dim("Region", Words.REGIONS);
            case 1 -> new Dim("Country", Words.COUNTRIES);
            case 2 -> new Dim("Department", Words.DEPARTMENTS);
            case 3 -> new Dim("City", Words.CITIES);
            case 4 -> new Dim("Product", shortProducts);
            case 5 -> new Dim("Name", people);
            default -> new Dim("Month", Words.MONTHS_LONG);
        };
    }

    private List<String> columns(int max, boolean rowsAreMonths) {
        switch (rowsAreMonths ? 3 * rng.nextInt(2) : rng.nextInt(4)) {
            case 0 -> {
                int start = rng.range(2005, 2024 - max + 1);
                List<String> ys = new ArrayList<>();
                for (int i = 0; i < max; i++) ys.add(Integer.toString(start + i));
                return ys;
            }
            case 1 -> {
                List<String> qs = new ArrayList<>();
                int year = rng.range(2015, 2024);
                boolean withYear = max > 4;
                for (int i = 0; i < max; i++) qs.add("Q" + (i % 4 + 1) + (withYear ? " " + (year + i / 4) : ""));
                return qs;
            }
            case 2 -> {
                int start = rng.nextInt(12);
                List<String> ms = new ArrayList<>();
                for (int i = 0; i < Math.min(max, 12); i++) ms.add(Words.MONTHS.get((start + i) % 12));
                return ms;
            }
            default -> {
                return rng.sample(Words.METRICS, max);
            }
        }
    }

    @Override
    void draw() {
        int l = longSide();
        double aspect = rng.uniform(0.7, 1.8);
        int w = aspect >= 1 ? l : (int) Math.round(l * aspect);
        int h = aspect >= 1 ? (int) Math.round(l / aspect) : l;
        FontBook face = rng.chance(0.7) ? FontBook.SANS : FontBook.SERIF;
        FontBook bold = face.bold();
        double mx = w * rng.uniform(0.06, 0.09);
        double my = h * rng.uniform(0.05, 0.08);
        double cw = w - 2 * mx;
        int maxCols = o.easy() ? rng.range(2, 4) : rng.range(3, 8);
        double capW = cw / ((12 + maxCols * 7) * 0.62);
        double capH = (h - 2 * my) / (16 * 1.9);
        double body = bodyPx(Math.min(capW, capH));
        double pad = body * rng.uniform(0.6, 1.0);
        double rowH = body * rng.uniform(1.6, 2.2);
        Color ink = ink();
        Color accent = accent();
        page = new Page(w, h, paper(), angle());

        // content first, then fit it
        Dim rd = rowDim();
        List<String> colLabels = new ArrayList<>(columns(maxCols, rd.header().equals("Month")));
        Set<String> rowSet = new HashSet<>(rd.labels());
        colLabels.removeIf(rowSet::contains);
        colLabels.remove(rd.header());
        int format = rng.nextInt(o.vocab() == Vocab.DIGITS && o.easy() ? 2 : 4); // 0 int, 1 decimal, 2 percent, 3 money
        long scale = rng.pick(100L, 1000L, 10_000L, 100_000L);
        double titleCap = larger(body, rng.uniform(1.3, 2.0));
        double titleH = titleCap * 2;
        double noteH = rng.chance(0.5) ? rowH : 0;
        int maxRows = (int) Math.floor((h - 2 * my - titleH - noteH - rowH * 1.3) / rowH);
        boolean totalRow = format == 0 && !o.easy() && rng.chance(0.3);
        int want = o.easy() ? rng.range(3, 6) : rng.chance(0.5) ? Integer.MAX_VALUE : rng.range(4, 30);
        int nRows = Math.min(Math.min(rd.labels().size(), want), maxRows - (totalRow ? 1 : 0));
        if (nRows < 2) throw new IllegalStateException("a table page of " + w + "x" + h + " px cannot hold " + SynthOptions.fmt(body) + " px text");
        double labelMax = cw * 0.45 - 2 * pad;
        List<String> fitting = rd.labels().stream().filter(r -> Page.advance(r, face, body) <= labelMax).toList();
        if (fitting.size() < 2) {
            rd = new Dim("Region", Words.REGIONS);
            fitting = Words.REGIONS.stream().filter(r -> Page.advance(r, face, body) <= labelMax).toList();
        }
        if (fitting.size() < 2) throw new IllegalStateException("a table page of " + w + "x" + h + " px cannot hold " + SynthOptions.fmt(body) + " px row labels");
        nRows = Math.min(nRows, fitting.size());
        List<String> rows = rng.sample(fitting, nRows);
        long[][] raw = new long[nRows][colLabels.size()];
        for (int r = 0; r < nRows; r++) for (int c = 0; c < colLabels.size(); c++) raw[r][c] = value(format, scale);
        String[][] cells = new String[nRows + 1][colLabels.size()];
        for (int r = 0; r < nRows; r++) for (int c = 0; c < colLabels.size(); c++) cells[r][c] = format(format, raw[r][c]);
        if (totalRow) {
            for (int c = 0; c < colLabels.size(); c++) {
                long s = 0;
                for (int r = 0; r < nRows; r++) s += raw[r][c];
                cells[nRows][c] = format(format, s);
            }
        }
        int nr = nRows + (totalRow ? 1 : 0);
        List<String> rowLabels = new ArrayList<>(rows);
        if (totalRow) rowLabels.add("Total");

        // widths
        double labelW = Page.advance(rd.header(), bold, body);
        for (String r : rowLabels) labelW = Math.max(labelW, Page.advance(r, totalRow && r.equals("Total") ? bold : face, body));
        labelW += 2 * pad;
        List<Double> colW = new ArrayList<>();
        for (int c = 0; c < colLabels.size(); c++) {
            double cwid = Page.advance(colLabels.get(c), bold, body);
            for (int r = 0; r < nr; r++) cwid = Math.max(cwid, Page.advance(cells[r][c], face, body));
            colW.add(cwid + 2 * pad);
        }
        int nc = colLabels.size();
        double sum = labelW;
        for (int c = 0; c < nc; c++) sum += colW.get(c);
        while (nc > 1 && sum > cw) {
            nc--;
            sum -= colW.get(nc);
        }
        if (sum > cw) {
            throw new IllegalStateException("a table page of " + w + "x" + h + " px cannot hold one column of " + SynthOptions.fmt(body) + " px text");
        }
        boolean fullWidth = rng.chance(0.5);
        double extra = fullWidth ? (cw - sum) / (nc + 1) : 0;
        labelW += extra;
        double tableW = labelW;
        for (int c = 0; c < nc; c++) {
            colW.set(c, colW.get(c) + extra);
            tableW += colW.get(c);
        }
        double x0 = fullWidth ? mx : mx + (cw - tableW) * (rng.chance(0.5) ? 0.5 : 0);

        double tableH = titleH + rowH * 1.15 + nr * rowH + noteH + rowH * 0.3;
        double y = my + (h - 2 * my - tableH) * (rng.chance(0.5) ? 0 : rng.uniform(0, 1));
        String title = tableTitle(rd.header(), colLabels);
        double tc = titleCap;
        while (tc > body && Page.advance(title, bold, tc) > cw) tc = clampPx(tc * 0.9);
        title = fit(title, cw, bold, tc);
        double tx = Math.max(mx, Math.min(x0, w - mx - Page.advance(title, bold, tc)));
        TextItem titleItem = page.text(title, tx, y + (titleH + tc) / 2, bold, tc, ink, "title");
        y += titleH;

        // header
        boolean filled = rng.chance(0.6);
        boolean grid = rng.chance(0.4);
        boolean zebra = !grid && rng.chance(0.6);
        boolean centred = rng.chance(0.3);
        double headH = rowH * 1.15;
        Color headInk = ink;
        if (filled) {
            page.fill(x0, y, tableW, headH, accent);
            headInk = Color.WHITE;
        }
        double hb = ReceiptGenerator.baseline(y, headH, body);
        page.text(rd.header(), x0 + pad, hb, bold, body, headInk, "header");
        List<TextItem> colItems = new ArrayList<>();
        double cx = x0 + labelW;
        List<Double> colRight = new ArrayList<>();
        for (int c = 0; c < nc; c++) {
            double right = cx + colW.get(c) - pad;
            colRight.add(right);
            colItems.add(centred ? page.textCenter(colLabels.get(c), cx + colW.get(c) / 2, hb, bold, body, headInk, "column")
                    : page.textRight(colLabels.get(c), right, hb, bold, body, headInk, "column"));
            cx += colW.get(c);
        }
        double tableTop = y;
        y += headH;
        if (!filled) page.line(x0, y, x0 + tableW, y, Math.max(1, body * 0.15), ink);

        // body
        List<TextItem> rowItems = new ArrayList<>();
        TextItem[][] cellItems = new TextItem[nr][nc];
        for (int r = 0; r < nr; r++) {
            boolean isTotal = totalRow && r == nRows;
            if (zebra && r % 2 == 1) page.fill(x0, y, tableW, rowH, tint(accent, 0.9));
            if (isTotal) page.line(x0, y, x0 + tableW, y, Math.max(1, body * 0.15), ink);
            double b = ReceiptGenerator.baseline(y, rowH, body);
            FontBook f = isTotal ? bold : face;
            rowItems.add(page.text(rowLabels.get(r), x0 + pad, b, f, body, ink, "row"));
            cx = x0 + labelW;
            for (int c = 0; c < nc; c++) {
                cellItems[r][c] = centred ? page.textCenter(cells[r][c], cx + colW.get(c) / 2, b, f, body, ink, "cell")
                        : page.textRight(cells[r][c], colRight.get(c), b, f, body, ink, "cell");
                cx += colW.get(c);
            }
            y += rowH;
            if (!zebra && !grid) page.line(x0, y, x0 + tableW, y, Math.max(0.6, body * 0.06), tint(ink, 0.75));
        }
        if (grid) {
            double lw = Math.max(0.7, body * 0.08);
            Color gc = tint(ink, 0.5);
            page.line(x0, tableTop, x0 + tableW, tableTop, lw, gc);
            for (int r = 0; r <= nr; r++) page.line(x0, tableTop + headH + r * rowH, x0 + tableW, tableTop + headH + r * rowH, lw, gc);
            double gx = x0;
            page.line(gx, tableTop, gx, y, lw, gc);
            gx += labelW;
            for (int c = 0; c < nc; c++) {
                page.line(gx, tableTop, gx, y, lw, gc);
                gx += colW.get(c);
            }
            page.line(gx, tableTop, gx, y, lw, gc);
        }
        if (noteH > 0) {
            String note = rng.pick("Source: ", "Data: ", "Note: figures from ") + company();
            note = fit(note, cw, face, body);
            double nx = Math.max(mx, Math.min(x0, w - mx - Page.advance(note, face, body)));
            page.text(note, nx, ReceiptGenerator.baseline(y + rowH * 0.3, noteH, body), face, body, grey(ink), "note");
        }

        // questions
        for (int r = 0; r < nr; r++) {
            String rl = rowItems.get(r).text();
            for (int c = 0; c < nc; c++) {
                String cl = colItems.get(c).text();
                ask("cell", cellItems[r][c], List.of(rowItems.get(r), colItems.get(c)),
                        "What is the value for " + rl + " in " + cl + "?",
                        "In the table, what is the " + cl + " value of " + rl + "?",
                        "What number is in row \"" + rl + "\" and column \"" + cl + "\"?");
            }
        }
        weight("cell", 4);
        weight("title", 0.5);
        ask("title", titleItem, List.of(), "What is the title of the table?", "What is the table's title?");
        // "which row has v in column c": only for values drawn nowhere else on the page
        Map<String, Integer> count = new HashMap<>();
        for (TextItem t : page.items()) count.merge(t.text(), 1, Integer::sum);
        for (int c = 0; c < nc; c++) {
            for (int r = 0; r < nRows; r++) {
                String v = cellItems[r][c].text();
                if (count.get(v) != 1) continue;
                String cl = colItems.get(c).text();
                ask("row_lookup", rowItems.get(r), List.of(colItems.get(c), cellItems[r][c]),
                        "Which " + rd.header().toLowerCase(Locale.ROOT) + " has " + v + " in " + cl + "?");
            }
        }
    }

    private String tableTitle(String rowHeader, List<String> cols) {
        String what = rng.pick(Words.METRICS);
        return switch (rng.nextInt(3)) {
            case 0 -> what + " by " + rowHeader.toLowerCase(Locale.ROOT);
            case 1 -> "Table " + rng.range(1, 12) + ": " + what + " by " + rowHeader.toLowerCase(Locale.ROOT);
            default -> rng.pick(Words.TITLE_A) + " " + what.toLowerCase(Locale.ROOT) + " overview";
        };
    }

    private long value(int format, long scale) {
        return switch (format) {
            case 0 -> Math.round(rng.logUniform(scale / 50.0, scale));        // integer
            case 1 -> Math.round(rng.uniform(1, 999.9) * 10);                  // tenths
            case 2 -> Math.round(rng.uniform(0.1, 99.9) * 10);                 // tenths of a percent
            default -> Math.round(rng.logUniform(100, scale * 100.0));         // cents
        };
    }

    private static String format(int format, long v) {
        return switch (format) {
            case 0 -> grouped(v);
            case 1 -> String.format(Locale.ROOT, "%d.%d", v / 10, v % 10);
            case 2 -> String.format(Locale.ROOT, "%d.%d%%", v / 10, v % 10);
            default -> ReceiptGenerator.moneyGrouped(v);
        };
    }
}
