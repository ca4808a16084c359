package org.tessera.synth;

import java.awt.Color;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Document pages: an optional letterhead, a title, a block of key–value fields, numbered sections with headings and
 * wrapped paragraphs in one or two columns, and a "Page N of M" footer. Field keys are unique on the page, so
 * "What is the Account number?" has one answer.
 */
final class DocumentGenerator extends Generator {
    DocumentGenerator(Rng rng, SynthOptions o) {
        super(rng, o);
    }

    @Override
    Kind kind() {
        return Kind.DOCUMENTS;
    }

    private record Field(String key, Supplier<String> value) {}

    private List<Field> fields() {
        return List.of(
                new Field("Reference", () -> o.vocab() == Vocab.DIGITS || rng.chance(0.5) ? digits(6) : "REF-" + digits(5)),
                new Field("Account number", () -> digits(8)),
                new Field("Customer ID", () -> digits(6)),
                new Field("Policy number", () -> digits(3) + "-" + digits(6)),
                new Field("Order number", () -> digits(7)),
                new Field("Case number", () -> rng.range(2015, 2025) + "/" + digits(4)),
                new Field("Employee ID", () -> digits(5)),
                new Field("Date of issue", this::date),
                new Field("Valid until", this::date),
                new Field("Amount", () -> (rng.chance(0.5) ? "$" : "") + ReceiptGenerator.moneyGrouped(Math.round(rng.logUniform(100, 5_000_000)))),
                new Field("Phone", () -> digits(3) + "-" + digits(4)),
                new Field("Postal code", () -> digits(5)),
                new Field("Room", () -> digits(3)),
                new Field("Version", () -> rng.range(1, 9) + "." + rng.range(0, 12)),
                new Field("Quantity", () -> Integer.toString(rng.range(1, 5000))),
                new Field("Department", () -> rng.pick(Words.DEPARTMENTS)),
                new Field("Contact", this::person),
                new Field("City", () -> rng.pick(Words.CITIES)),
                new Field("Project", () -> rng.pick(Words.COMPANY_FIRST)),
                new Field("Status", () -> rng.pick("Approved", "Pending", "Draft", "Final", "Open", "Closed")),
                new Field("Priority", () -> rng.pick("High", "Medium", "Low", "Urgent")));
    }

    @Override
    void draw() {
        boolean landscape = !o.easy() && rng.chance(0.2);
        int l = longSide();
        int s = (int) Math.round(l / rng.uniform(1.29, 1.42));
        int w = landscape ? l : s;
        int h = landscape ? s : l;
        FontBook face = rng.pick(FontBook.SERIF, FontBook.SANS);
        FontBook bold = rng.chance(0.7) ? face.bold() : (face == FontBook.SERIF ? FontBook.SANS_BOLD : FontBook.SERIF_BOLD);
        double mx = w * rng.uniform(0.07, 0.1);
        double my = h * rng.uniform(0.05, 0.08);
        double cw = w - 2 * mx;
        double capW = cw / 75;
        double capH = (h - 2 * my) / (34 * 1.7);
        double body = bodyPx(Math.min(capW, capH));
        double lineH = body * rng.uniform(1.55, 1.95);
        Color ink = ink();
        Color accent = accent();
        page = new Page(w, h, paper(), angle());
        double left = mx;
        double right = w - mx;
        double bottom = h - my;
        double y = my;
        double space = Page.advance(" ", face, body);

        // letterhead
        TextItem org = null;
        if (rng.chance(0.6)) {
            double oc = larger(body, rng.uniform(1.2, 1.6));
            org = page.text(fit(company(), cw * 0.6, bold, oc), left, y + oc, bold, oc, accent, "organization");
            y += oc * 1.6;
            page.line(left, y, right, y, Math.max(1, body * 0.15), accent);
            y += lineH * 0.8;
        }
        // title
        String title = rng.pick(Words.TITLE_A) + " " + rng.pick(Words.TITLE_B) + " " + rng.pick(Words.TITLE_C);
        double tc = larger(body, rng.uniform(1.6, 2.6));
        while (tc > body && Page.advance(title, bold, tc) > cw) tc = clampPx(tc * 0.9);
        title = fit(title, cw, bold, tc);
        boolean centred = rng.chance(0.4);
        TextItem titleItem = centred ? page.textCenter(title, w / 2.0, y + tc, bold, tc, ink, "title")
                : page.text(title, left, y + tc, bold, tc, ink, "title");
        y += tc * 1.9;
        if (rng.chance(0.5)) {
            String sub = rng.pick("Prepared by ", "Author: ", "Issued by ") + person();
            if (centred) page.textCenter(sub, w / 2.0, baseline(y, lineH, body), face, body, grey(ink), "subtitle");
            else page.text(sub, left, baseline(y, lineH, body), face, body, grey(ink), "subtitle");
            y += lineH * 1.3;
        }

        // fields
        List<Field> all = fields();
        int nf = o.easy() ? rng.range(3, 5) : rng.range(3, 8);
        List<Field> chosen = rng.sample(all, nf);
        boolean twoCol = cw / body > 70 && rng.chance(0.6);
        double colW = twoCol ? cw / 2 : cw;
        double keyW = 0;
        for (Field f : chosen) keyW = Math.max(keyW, Page.advance(f.key() + ":", bold, body));
        List<TextItem> keys = new ArrayList<>(), vals = new ArrayList<>();
        boolean box = rng.chance(0.4);
        int rows = twoCol ? (nf + 1) / 2 : nf;
        if (box) page.fill(left - body * 0.6, y - lineH * 0.2, cw + body * 1.2, rows * lineH + lineH * 0.4, tint(accent, 0.92));
        for (int i = 0; i < nf; i++) {
            Field f = chosen.get(i);
            int col = twoCol ? i % 2 : 0;
            int r = twoCol ? i / 2 : i;
            double x = left + col * colW;
            double b = baseline(y + r * lineH, lineH, body);
            TextItem k = page.text(f.key() + ":", x, b, bold, body, ink, "key");
            String v = fit(f.value().get(), colW - keyW - 2 * body, face, body);
            keys.add(k);
            vals.add(page.text(v, x + keyW + body, b, face, body, ink, "value"));
        }
        y += rows * lineH + lineH;

        // footer first (its place is fixed), then sections flow into the space above it
        int total = rng.range(1, 24);
        int pageNo = rng.range(1, total);
        double fb = bottom;
        TextItem pageKey, pageVal;
        double fx = rng.chance(0.5) ? w / 2.0 - Page.advance("Page 00 of 00", face, body) / 2 : right - Page.advance("Page 00 of 00", face, body);
        pageKey = page.text("Page", fx, fb, face, body, grey(ink), "footer");
        pageVal = page.text(Integer.toString(pageNo), pageKey.right() + space, fb, face, body, grey(ink), "footer");
        TextItem of = page.text("of", pageVal.right() + space, fb, face, body, grey(ink), "footer");
        page.text(Integer.toString(total), of.right() + space, fb, face, body, grey(ink), "footer");
        String footDate = date();
        if (rng.chance(0.5) && left + Page.advance(footDate, face, body) + 2 * body < fx) page.text(footDate, left, fb, face, body, grey(ink), "footer");
        double flowBottom = bottom - lineH * 1.5;

        // sections
        int columns = !o.easy() && cw / body > 110 && rng.chance(0.5) ? 2 : 1;
        double gutter = body * 3;
        double colWidth = (cw - (columns - 1) * gutter) / columns;
        double hc = larger(body, rng.uniform(1.15, 1.5));
        double headH = hc * 2.2;
        int col = 0;
        double colTop = y;
        double x = left;
        List<TextItem> headNums = new ArrayList<>(), heads = new ArrayList<>();
        Set<String> usedHeads = new HashSet<>();
        int section = 0;
        outer:
        while (true) {
            if (y + headH + 2 * lineH > flowBottom) {
                if (++col >= columns) break;
                x = left + col * (colWidth + gutter);
                y = colTop;
                if (y + headH + 2 * lineH > flowBottom) break;
            }
            String heading;
            do heading = rng.pick(Words.HEADINGS); while (!usedHeads.add(heading));
            section++;
            String num = section + ".";
            TextItem numItem = page.text(num, x, y + (headH + hc) / 2 + hc * 0.1, bold, hc, ink, "heading_number");
            double hx = numItem.right() + Page.advance(" ", bold, hc);
            heading = fit(heading, x + colWidth - hx, bold, hc);
            heads.add(page.text(heading, hx, y + (headH + hc) / 2 + hc * 0.1, bold, hc, ink, "heading"));
            headNums.add(numItem);
            y += headH;
            int paragraphs = rng.range(1, 3);
            for (int p = 0; p < paragraphs; p++) {
                List<String> lines = wrap(paragraph(), colWidth, face, body);
                for (String line : lines) {
                    if (y + lineH > flowBottom) {
                        if (++col >= columns) break outer;
                        x = left + col * (colWidth + gutter);
                        y = colTop;
                    }
                    page.text(line, x, baseline(y, lineH, body), face, body, ink, "body");
                    y += lineH;
                }
                y += lineH * 0.5;
            }
            if (usedHeads.size() >= Words.HEADINGS.size()) break;
        }

        weight("field", 3);
        weight("section_heading", 1.5);
        weight("title", 0.7);
        weight("organization", 0.5);
        for (int i = 0; i < nf; i++) {
            String k = chosen.get(i).key();
            ask("field", vals.get(i), keys.get(i), "What is the " + k + "?", "What is the value of the field \"" + k + "\"?",
                    "What does the document give as " + k + "?");
        }
        ask("page_number", pageVal, pageKey, "What is the page number?", "Which page is this?");
        ask("title", titleItem, List.of(), "What is the title of the document?", "What is the document's title?");
        for (int i = 0; i < heads.size(); i++) {
            int n = i + 1;
            ask("section_heading", heads.get(i), headNums.get(i), "What is the heading of section " + n + "?",
                    "What is section " + n + " called?");
        }
        if (org != null) ask("organization", org, List.of(), "Which organization issued this document?");
    }

    private String paragraph() {
        StringBuilder sb = new StringBuilder();
        int sentences = rng.range(2, 7);
        for (int s = 0; s < sentences; s++) {
            int words = rng.range(5, 16);
            for (int i = 0; i < words; i++) {
                String word = rng.pick(Words.WORDS);
                if (i == 0) word = Words.capitalize(word);
                if (sb.length() > 0) sb.append(' ');
                sb.append(word);
                if (i == words - 1) sb.append('.');
                else if (rng.chance(0.06)) sb.append(',');
            }
        }
        return sb.toString();
    }

    /** Greedy word wrap to {@code width} px. */
    static List<String> wrap(String text, double width, FontBook face, double cap) {
        List<String> lines = new ArrayList<>();
        double space = Page.advance(" ", face, cap);
        StringBuilder line = new StringBuilder();
        double lw = 0;
        for (String word : text.split(" ")) {
            double ww = Page.advance(word, face, cap);
            if (line.length() > 0 && lw + space + ww > width) {
                lines.add(line.toString());
                line.setLength(0);
                lw = 0;
            }
            if (line.length() > 0) {
                line.append(' ');
                lw += space;
            }
            line.append(word);
            lw += ww;
        }
        if (line.length() > 0) lines.add(line.toString());
        return lines;
    }

    static double baseline(double y, double lineH, double cap) {
        return ReceiptGenerator.baseline(y, lineH, cap);
    }
}
