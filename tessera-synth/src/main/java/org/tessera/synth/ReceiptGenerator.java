package org.tessera.synth;

import java.awt.Color;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Receipts and invoices. A till receipt: monospaced, narrow, store name, address, date, receipt number, a column of
 * items with prices, subtotal, tax, a bold TOTAL (big in the easy preset), payment and change; sometimes photographed
 * on a desk. An invoice: letterhead, invoice number and dates, bill-to block, an item table (description, quantity,
 * unit price, amount), totals. Sums are exact in cents: total = subtotal + tax, amount = quantity × unit price.
 */
final class ReceiptGenerator extends Generator {
    ReceiptGenerator(Rng rng, SynthOptions o) {
        super(rng, o);
    }

    @Override
    Kind kind() {
        return Kind.RECEIPTS;
    }

    @Override
    void draw() {
        if (!o.easy() && rng.chance(0.35)) invoice();
        else till();
    }

    private long price() {
        long cents = Math.round(rng.logUniform(49, 4999));
        if (rng.chance(0.3)) cents = cents / 100 * 100 + rng.pick(99L, 49L, 95L);
        return Math.max(1, cents);
    }

    // ---- till receipt ---------------------------------------------------------------------------------------------

    private void till() {
        FontBook face = o.easy() ? FontBook.MONO_DV : rng.pick(FontBook.MONO, FontBook.MONO_DV);
        FontBook bold = face.bold();
        double advPerCap = Page.advance("0000000000", face, 100) / 1000.0;
        int h = longSide();
        boolean desk = !o.easy() && rng.chance(0.4);
        double ph = desk ? h * rng.uniform(0.88, 0.96) : h;
        double pw = ph / rng.uniform(1.3, 2.8);
        double minPw = 30 * advPerCap * o.minTextPx() / 0.88;
        pw = Math.min(Math.max(pw, minPw), h);
        int w = (int) Math.round(desk ? Math.min(h, pw * rng.uniform(1.12, 1.5)) : pw);
        pw = Math.min(pw, w);
        double mx = pw * 0.06;
        double cw = pw - 2 * mx;
        double capW = cw / (32 * advPerCap);
        double capH = ph * 0.9 / (24 * 1.7);
        double body = bodyPx(Math.min(capW, capH));
        double lineH = body * (o.easy() ? 1.8 : rng.uniform(1.5, 1.9));
        double titleCap = larger(body, rng.uniform(1.4, 2.2));
        double totalCap = o.easy() ? larger(body, rng.uniform(1.8, 2.6)) : larger(body, rng.uniform(1.0, 1.5));
        Color paper = paper();
        Color ink = ink();
        page = new Page(w, h, desk ? rng.pick(DESKS) : paper, angle());
        double x0 = (w - pw) / 2;
        double y0 = (h - ph) / 2;
        if (desk) {
            page.fill(x0 + body * 0.4, y0 + body * 0.6, pw, ph, new Color(0, 0, 0, 60));
            page.fill(x0, y0, pw, ph, paper);
        }
        double left = x0 + mx;
        double right = x0 + pw - mx;
        double cx = x0 + pw / 2;
        int chars = (int) Math.floor(cw / (advPerCap * body));
        boolean upper = rng.chance(0.6);

        boolean phone = rng.chance(0.6);
        boolean cashier = rng.chance(0.5);
        boolean thanks2 = rng.chance(0.5);
        boolean cash = rng.chance(0.55);
        long taxRate = rng.pick(0L, 5L, 7L, 8L, 10L, 19L, 20L);
        double sep = lineH * 0.7;
        double titleH = titleCap * 1.9;
        double totalH = totalCap * 1.9;
        double top = y0 + ph * 0.04;
        double bottom = y0 + ph * 0.96;
        int n;
        while (true) {
            int fixedLines = 2 + (phone ? 1 : 0) + 2 + (cashier ? 1 : 0) + 1 + (taxRate > 0 ? 1 : 0) + (cash ? 2 : 1) + 1 + (thanks2 ? 1 : 0);
            double fixed = titleH + fixedLines * lineH + 4 * sep + totalH;
            n = (int) Math.floor((bottom - top - fixed) / lineH);
            if (n >= 2) break;
            if (phone || cashier || thanks2) {
                phone = cashier = thanks2 = false;
            } else if (lineH > body * 1.36) {
                lineH = body * 1.35;
            } else {
                throw new IllegalStateException("a receipt of " + Math.round(pw) + "x" + Math.round(ph) + " px cannot hold "
                        + SynthOptions.fmt(body) + " px text; raise --min-size or lower --min-text-px");
            }
        }
        int want = o.easy() ? rng.range(3, 8) : rng.range(3, 28);
        n = Math.min(n, want);

        double y = top;
        // store name, address
        String store = rng.pick(Words.STORE_FIRST) + " " + rng.pick(Words.STORE_SECOND);
        if (upper) store = store.toUpperCase(Locale.ROOT);
        double sc = titleCap;
        while (sc > body && Page.advance(store, bold, sc) > cw) sc = clampPx(sc * 0.9);
        store = fit(store, cw, bold, sc);
        TextItem storeItem = page.textCenter(store, cx, baseline(y, titleH, sc), bold, sc, ink, "title");
        y += titleH;
        page.textCenter(fit(street(), cw, face, body), cx, baseline(y, lineH, body), face, body, ink, "address");
        y += lineH;
        String city = rng.pick(Words.CITIES) + " " + digits(5);
        page.textCenter(fit(city, cw, face, body), cx, baseline(y, lineH, body), face, body, ink, "address");
        y += lineH;
        if (phone) {
            page.textCenter("Tel " + digits(3) + "-" + digits(3) + "-" + digits(4).substring(0, 4), cx, baseline(y, lineH, body), face, body, ink, "phone");
            y += lineH;
        }
        y = separator(y, sep, left, right, body, ink);
        // date, time, receipt number
        String dateLabel = "Date:";
        TextItem dateKey = page.text(dateLabel, left, baseline(y, lineH, body), face, body, ink, "label");
        TextItem dateVal = page.text(date(), dateKey.right() + advPerCap * body, baseline(y, lineH, body), face, body, ink, "value");
        String time = String.format(Locale.ROOT, "%02d:%02d", rng.range(7, 22), rng.range(0, 59));
        TextItem timeVal = page.textRight(time, right, baseline(y, lineH, body), face, body, ink, "value");
        TextItem timeKey = null;
        if (timeVal.x() - Page.advance("Time: ", face, body) > dateVal.right() + advPerCap * body) {
            timeKey = page.textRight("Time:", timeVal.x() - advPerCap * body, baseline(y, lineH, body), face, body, ink, "label");
        }
        y += lineH;
        String noLabel = rng.pick("Receipt #:", "Receipt No.", "Trans #:", "Bill No.");
        TextItem noKey = page.text(noLabel, left, baseline(y, lineH, body), face, body, ink, "label");
        TextItem noVal = page.text(digits(rng.range(4, 6)), noKey.right() + advPerCap * body, baseline(y, lineH, body), face, body, ink, "value");
        y += lineH;
        if (cashier) {
            TextItem k = page.text("Cashier:", left, baseline(y, lineH, body), face, body, ink, "label");
            page.text(rng.pick(Words.FIRST_NAMES), k.right() + advPerCap * body, baseline(y, lineH, body), face, body, ink, "value");
            y += lineH;
        }
        y = separator(y, sep, left, right, body, ink);
        // items
        List<TextItem> names = new ArrayList<>();
        List<TextItem> prices = new ArrayList<>();
        Set<String> seen = new HashSet<>(Set.of("TOTAL", "SUBTOTAL", "TAX", "CASH", "CHANGE"));
        long subtotal = 0;
        double nameW = cw - advPerCap * body * 10;
        for (String p : rng.sample(Words.PRODUCTS, Words.PRODUCTS.size())) {
            if (names.size() == n) break;
            String name = fit(upper ? p.toUpperCase(Locale.ROOT) : p, nameW, face, body);
            if (!seen.add(name.toUpperCase(Locale.ROOT))) continue;
            long c = price();
            subtotal += c;
            double b = baseline(y, lineH, body);
            names.add(page.text(name, left, b, face, body, ink, "item"));
            prices.add(page.textRight(money(c), right, b, face, body, ink, "price"));
            y += lineH;
        }
        y = separator(y, sep, left, right, body, ink);
        long tax = Math.round(subtotal * taxRate / 100.0);
        long total = subtotal + tax;
        TextItem subKey = page.text(upper ? "SUBTOTAL" : "Subtotal", left, baseline(y, lineH, body), face, body, ink, "label");
        TextItem subVal = page.textRight(money(subtotal), right, baseline(y, lineH, body), face, body, ink, "value");
        y += lineH;
        TextItem taxKey = null, taxVal = null;
        if (taxRate > 0) {
            taxKey = page.text((upper ? "TAX " : "Tax ") + taxRate + "%", left, baseline(y, lineH, body), face, body, ink, "label");
            taxVal = page.textRight(money(tax), right, baseline(y, lineH, body), face, body, ink, "value");
            y += lineH;
        }
        TextItem totKey = page.text("TOTAL", left, baseline(y, totalH, totalCap), bold, totalCap, ink, "label");
        double tc = totalCap;
        String totStr = money(total);
        while (Page.advance(totStr, bold, tc) > right - totKey.right() - advPerCap * body && tc > body) tc = clampPx(tc * 0.9);
        TextItem totVal = page.textRight(totStr, right, baseline(y, totalH, totalCap), bold, tc, ink, "total");
        y += totalH;
        y = separator(y, sep, left, right, body, ink);
        TextItem cashKey = null, cashVal = null, changeKey = null, changeVal = null;
        if (cash) {
            long step = rng.pick(500L, 1000L, 2000L, 5000L);
            long given = (total / step + 1) * step;
            cashKey = page.text(upper ? "CASH" : "Cash", left, baseline(y, lineH, body), face, body, ink, "label");
            cashVal = page.textRight(money(given), right, baseline(y, lineH, body), face, body, ink, "value");
            y += lineH;
            changeKey = page.text(upper ? "CHANGE" : "Change", left, baseline(y, lineH, body), face, body, ink, "label");
            changeVal = page.textRight(money(given - total), right, baseline(y, lineH, body), face, body, ink, "value");
            y += lineH;
        } else {
            page.text(rng.pick("VISA", "CARD", "DEBIT", "MASTERCARD"), left, baseline(y, lineH, body), face, body, ink, "label");
            page.textRight("****" + digits(4), right, baseline(y, lineH, body), face, body, ink, "value");
            y += lineH;
        }
        page.textCenter(fit(rng.pick("THANK YOU!", "Thank you for shopping", "THANK YOU FOR YOUR VISIT", "Have a nice day"), cw, face, body),
                cx, baseline(y, lineH, body), face, body, ink, "footer");
        y += lineH;
        if (thanks2) {
            page.textCenter(fit(rng.pick("Please come again", "Keep this receipt", "Returns within 30 days"), cw, face, body),
                    cx, baseline(y, lineH, body), face, body, ink, "footer");
        }

        weight("item_price", 3);
        weight("total", 2);
        ask("total", totVal, totKey, "What is the total?", "What is the total amount?", "How much is the total on this receipt?");
        for (int i = 0; i < names.size(); i++) {
            String nm = names.get(i).text();
            ask("item_price", prices.get(i), names.get(i), "What is the price of " + nm + "?", "How much does " + nm + " cost?",
                    "How much was " + nm + "?");
            ask("item_name", names.get(i), List.of(), "What is the " + Words.ordinal(i + 1) + " item on the receipt?");
        }
        ask("subtotal", subVal, subKey, "What is the subtotal?", "What is the subtotal on this receipt?");
        if (taxVal != null) ask("tax", taxVal, taxKey, "How much is the tax?", "What is the tax amount?");
        ask("receipt_number", noVal, noKey, "What is the receipt number?", "What number does this receipt have?");
        ask("date", dateVal, dateKey, "What is the date on the receipt?", "On what date was this receipt issued?");
        if (timeKey != null) ask("time", timeVal, timeKey, "What time is on the receipt?", "At what time was this receipt printed?");
        if (cashVal != null) {
            ask("cash", cashVal, cashKey, "How much cash was given?", "How much was paid in cash?");
            ask("change", changeVal, changeKey, "How much change was given?", "What is the change?");
        }
        ask("store", storeItem, List.of(), "What is the name of the store?", "Which store issued this receipt?");
    }

    /** A dashed rule across the receipt; returns the new cursor. */
    private double separator(double y, double sep, double left, double right, double body, Color ink) {
        double yy = y + sep / 2;
        page.dashed(left, yy, right, yy, Math.max(1, body * 0.12), body * 0.5, grey(ink));
        return y + sep;
    }

    /** The baseline that centres text of cap height {@code cap} in a line of height {@code lineH} starting at {@code y}. */
    static double baseline(double y, double lineH, double cap) {
        return y + (lineH + cap) / 2;
    }

    // ---- invoice --------------------------------------------------------------------------------------------------

    private static final List<String> SERVICES = Words.split("""
            Consulting hours | Design work | Site visit | Installation | Maintenance | Software license |
            Support plan | Training session | Hardware | Cabling | Travel costs | Project management |
            Data migration | Printing | Delivery | Cleaning service | Repairs | Inspection | Spare parts |
            Web hosting | Domain renewal | Photography | Translation | Catering | Equipment rental""");

    private void invoice() {
        FontBook face = rng.pick(FontBook.SANS, FontBook.SANS, FontBook.SERIF);
        FontBook bold = face.bold();
        int h = longSide();
        if (h < 48 * o.minTextPx()) { // an invoice needs about 40 lines of the smallest text; a till receipt fewer
            till();
            return;
        }
        int w = (int) Math.round(h / rng.uniform(1.29, 1.42));
        double mx = w * rng.uniform(0.06, 0.09);
        double my = h * rng.uniform(0.045, 0.065);
        double cw = w - 2 * mx;
        double capW = cw / 62;
        double capH = (h - 2 * my) / (30 * 1.9);
        double body = bodyPx(Math.min(capW, capH));
        double lineH = body * rng.uniform(1.7, 2.1);
        Color ink = ink();
        Color accent = accent();
        page = new Page(w, h, paper(), angle());
        double left = mx;
        double right = w - mx;
        double y = my;

        // letterhead
        String company = company();
        double nameCap = larger(body, rng.uniform(1.6, 2.4));
        double invCap = larger(body, rng.uniform(1.8, 2.8));
        boolean band = rng.chance(0.5);
        double headH = Math.max(nameCap, invCap) * 2.2;
        Color headInk = accent;
        if (band) {
            page.fill(0, y - my * 0.4, w, headH + my * 0.4, accent);
            headInk = Color.WHITE;
        }
        String invWord = rng.pick("INVOICE", "Invoice", "TAX INVOICE");
        double invW = Page.advance(invWord, bold, invCap);
        while (nameCap > body && Page.advance(company, bold, nameCap) > cw - invW - 2 * body) nameCap = clampPx(nameCap * 0.9);
        company = fit(company, cw - invW - 2 * body, bold, nameCap);
        TextItem companyItem = page.text(company, left, y + (headH + nameCap) / 2, bold, nameCap, headInk, "title");
        page.textRight(invWord, right, y + (headH + invCap) / 2, bold, invCap, band ? Color.WHITE : ink, "title");
        y += headH + lineH * 0.5;

        // address (left) and invoice facts (right)
        String invNo = o.vocab() == Vocab.DIGITS || rng.chance(0.5) ? digits(rng.range(4, 7)) : rng.pick("INV-", "IN", "A-") + digits(rng.range(4, 6));
        String issued = date();
        String due = date();
        while (due.equals(issued)) due = date();
        List<String[]> facts = new ArrayList<>();
        facts.add(new String[] {"Invoice No.", invNo});
        facts.add(new String[] {"Date", issued});
        facts.add(new String[] {"Due date", due});
        boolean customerId = rng.chance(0.5);
        if (customerId) facts.add(new String[] {"Customer ID", digits(6)});
        double labW = 0, valW = 0;
        for (String[] f : facts) {
            labW = Math.max(labW, Page.advance(f[0], bold, body));
            valW = Math.max(valW, Page.advance(f[1], face, body));
        }
        double fx = right - valW - labW - 1.5 * body;
        double yl = y;
        for (String line : List.of(street(), rng.pick(Words.CITIES) + " " + digits(5), "Phone " + digits(3) + " " + digits(3) + " " + digits(4).substring(0, 4))) {
            page.text(fit(line, fx - left - 1.5 * body, face, body), left, baseline(yl, lineH, body), face, body, grey(ink), "address");
            yl += lineH;
        }
        double yr = y;
        List<TextItem> factKeys = new ArrayList<>();
        List<TextItem> factVals = new ArrayList<>();
        for (String[] f : facts) {
            factKeys.add(page.text(f[0], fx, baseline(yr, lineH, body), bold, body, ink, "label"));
            factVals.add(page.textRight(f[1], right, baseline(yr, lineH, body), face, body, ink, "value"));
            yr += lineH;
        }
        y = Math.max(yl, yr) + lineH * 0.6;

        // bill to
        page.text(rng.pick("Bill to:", "BILL TO", "Billed to:"), left, baseline(y, lineH, body), bold, body, ink, "label");
        y += lineH;
        String customer = rng.chance(0.5) ? person() : company();
        while (customer.equals(company)) customer = person();
        customer = fit(customer, cw * 0.6, face, body);
        TextItem customerItem = page.text(customer, left, baseline(y, lineH, body), face, body, ink, "customer");
        y += lineH;
        page.text(fit(street() + ", " + rng.pick(Words.CITIES), cw * 0.6, face, body), left, baseline(y, lineH, body), face, body, grey(ink), "address");
        y += lineH * 1.6;

        // item table
        double pad = body * 0.6;
        double numW = Math.max(Page.advance("00,000.00", face, body), Page.advance("Unit price", bold, body)) + 2 * pad;
        double qtyW = Math.max(Page.advance("Qty", bold, body), Page.advance("000", face, body)) + 2 * pad;
        double amountR = right - pad;
        double unitR = amountR - numW;
        double qtyR = unitR - numW;
        double descX = left + pad;
        double descW = qtyR - qtyW - descX;
        double rowH = lineH * rng.uniform(0.95, 1.15);
        boolean fillHead = rng.chance(0.6);
        boolean zebra = rng.chance(0.5);
        double totalsCap = larger(body, rng.uniform(1.15, 1.6));
        double after = rowH * 0.5 + 3 * lineH + totalsCap * 1.2 + lineH * 2.5;
        int n = (int) Math.floor((h - my - y - rowH * 1.2 - after) / rowH);
        if (n < 1) throw new IllegalStateException("an invoice of " + w + "x" + h + " px cannot hold " + SynthOptions.fmt(body) + " px text");
        n = Math.min(n, rng.range(2, 22));

        double headRow = rowH * 1.2;
        Color headText = ink;
        if (fillHead) {
            page.fill(left, y, cw, headRow, accent);
            headText = Color.WHITE;
        } else {
            page.line(left, y + headRow, right, y + headRow, Math.max(1, body * 0.15), ink);
        }
        double hb = baseline(y, headRow, body);
        String descHead = Page.advance("Description", bold, body) < descW - pad ? "Description" : "Item";
        page.text(descHead, descX, hb, bold, body, headText, "header");
        page.textRight("Qty", qtyR, hb, bold, body, headText, "header");
        page.textRight("Unit price", unitR, hb, bold, body, headText, "header");
        page.textRight("Amount", amountR, hb, bold, body, headText, "header");
        y += headRow;
        List<TextItem> descs = new ArrayList<>(), qtys = new ArrayList<>(), units = new ArrayList<>(), amounts = new ArrayList<>();
        Set<String> seen = new HashSet<>(Set.of("Subtotal", "Total due", "Total", "TOTAL", "Description", "Item", "Qty", "Unit price", "Amount"));
        List<String> pool = new ArrayList<>(SERVICES);
        pool.addAll(Words.PRODUCTS);
        long subtotal = 0;
        int row = 0;
        for (String d : rng.sample(pool, pool.size())) {
            if (descs.size() == n) break;
            String desc = fit(d, descW, face, body);
            if (!seen.add(desc)) continue;
            long qty = rng.chance(0.4) ? 1 : rng.range(1, 24);
            long unit = price() * (rng.chance(0.3) ? 10 : 1);
            long amount = qty * unit;
            subtotal += amount;
            if (zebra && row % 2 == 1) page.fill(left, y, cw, rowH, tint(accent, 0.9));
            double b = baseline(y, rowH, body);
            descs.add(page.text(desc, descX, b, face, body, ink, "item"));
            qtys.add(page.textRight(Long.toString(qty), qtyR, b, face, body, ink, "qty"));
            units.add(page.textRight(moneyGrouped(unit), unitR, b, face, body, ink, "price"));
            amounts.add(page.textRight(moneyGrouped(amount), amountR, b, face, body, ink, "amount"));
            if (!zebra) page.line(left, y + rowH, right, y + rowH, Math.max(0.6, body * 0.06), tint(ink, 0.7));
            y += rowH;
            row++;
        }
        y += rowH * 0.5;

        // totals
        long taxRate = rng.pick(5L, 7L, 8L, 10L, 19L, 20L);
        long tax = Math.round(subtotal * taxRate / 100.0);
        long total = subtotal + tax;
        String totLabel = rng.pick("Total due", "TOTAL", "Total");
        double labelsW = Math.max(Page.advance(totLabel, bold, totalsCap), Page.advance("Tax (20%)", face, body));
        double valuesW = Math.max(Page.advance(moneyGrouped(total), bold, totalsCap), Page.advance(moneyGrouped(subtotal), face, body));
        double labX = Math.min(unitR - numW * 0.9, amountR - valuesW - labelsW - 1.5 * body);
        TextItem subKey = page.text("Subtotal", labX, baseline(y, lineH, body), face, body, ink, "label");
        TextItem subVal = page.textRight(moneyGrouped(subtotal), amountR, baseline(y, lineH, body), face, body, ink, "value");
        y += lineH;
        TextItem taxKey = page.text("Tax (" + taxRate + "%)", labX, baseline(y, lineH, body), face, body, ink, "label");
        TextItem taxVal = page.textRight(moneyGrouped(tax), amountR, baseline(y, lineH, body), face, body, ink, "value");
        y += lineH;
        page.line(labX, y + lineH * 0.15, right, y + lineH * 0.15, Math.max(1, body * 0.12), ink);
        double totH = Math.max(lineH, totalsCap * 2);
        TextItem totKey = page.text(totLabel, labX, baseline(y, totH, totalsCap), bold, totalsCap, ink, "label");
        TextItem totVal = page.textRight(moneyGrouped(total), amountR, baseline(y, totH, totalsCap), bold, totalsCap, ink, "total");
        y += totH + lineH * 0.5;
        page.text(fit(rng.pick("Payment due within 30 days.", "Thank you for your business.", "Please quote the invoice number with your payment."),
                cw, face, body), left, baseline(y, lineH, body), face, body, grey(ink), "footer");

        weight("item_amount", 2);
        weight("total", 2);
        ask("total", totVal, totKey, "What is the total due?", "What is the total amount of the invoice?", "How much is the invoice total?");
        ask("invoice_number", factVals.get(0), factKeys.get(0), "What is the invoice number?", "Which number does this invoice have?");
        ask("date", factVals.get(1), factKeys.get(1), "What is the invoice date?", "On what date was the invoice issued?");
        ask("due_date", factVals.get(2), factKeys.get(2), "What is the due date?", "When is the invoice due?");
        if (customerId) ask("customer_id", factVals.get(3), factKeys.get(3), "What is the customer ID?");
        for (int i = 0; i < descs.size(); i++) {
            String d = descs.get(i).text();
            ask("item_amount", amounts.get(i), descs.get(i), "What is the amount for " + d + "?", "How much is charged in total for " + d + "?");
            ask("item_quantity", qtys.get(i), descs.get(i), "What is the quantity of " + d + "?", "How many units of " + d + " were billed?");
            ask("item_unit_price", units.get(i), descs.get(i), "What is the unit price of " + d + "?");
        }
        ask("subtotal", subVal, subKey, "What is the subtotal?");
        ask("tax", taxVal, taxKey, "How much is the tax?", "What is the tax amount?");
        ask("company", companyItem, List.of(), "Which company issued this invoice?", "What is the name of the company on the invoice?");
        ask("customer", customerItem, List.of(), "Who is the invoice billed to?", "What is the name of the customer?");
    }

    static String moneyGrouped(long cents) {
        return grouped(cents / 100) + String.format(Locale.ROOT, ".%02d", cents % 100);
    }
}
