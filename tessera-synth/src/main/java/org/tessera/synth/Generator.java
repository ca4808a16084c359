package org.tessera.synth;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the four kinds share: the random source and knobs, the palettes, text-size choice within the knobs, and the
 * collection of candidate questions from which each sample's questions are drawn.
 */
abstract class Generator {
    final Rng rng;
    final SynthOptions o;
    Page page;
    private final List<Candidate> candidates = new ArrayList<>();
    private final Map<String, Double> weights = new LinkedHashMap<>();

    /** A question that could be asked; {@code phrasings[0]} is the canonical one (the only one in the easy preset). */
    record Candidate(String type, String[] phrasings, TextItem answer, List<TextItem> keys) {}

    Generator(Rng rng, SynthOptions o) {
        this.rng = rng;
        this.o = o;
    }

    abstract Kind kind();

    /** Draws the page into {@link #page} and registers candidate questions with {@link #ask}. */
    abstract void draw();

    static Sample generate(Kind kind, Rng rng, SynthOptions o) {
        Generator g = switch (kind) {
            case RECEIPTS -> new ReceiptGenerator(rng, o);
            case DOCUMENTS -> new DocumentGenerator(rng, o);
            case TABLES -> new TableGenerator(rng, o);
            case CHARTS -> new ChartGenerator(rng, o);
            case MIXED -> throw new IllegalArgumentException("MIXED is not a concrete kind");
        };
        return g.run();
    }

    private Sample run() {
        draw();
        page.finish();
        Texture.apply(page, rng, o.noise());
        List<Qa> qas = choose();
        return new Sample(kind(), page.width, page.height, page.angleDeg, page.image, page.items(), qas);
    }

    /** How likely a type is to come early when questions are drawn (default 1). */
    void weight(String type, double w) {
        weights.put(type, w);
    }

    void ask(String type, TextItem answer, List<TextItem> keys, String... phrasings) {
        candidates.add(new Candidate(type, phrasings, answer, keys));
    }

    void ask(String type, TextItem answer, TextItem key, String... phrasings) {
        ask(type, answer, key == null ? List.of() : List.of(key), phrasings);
    }

    /**
     * Picks the questions: candidates whose answers the vocabulary allows, grouped by type. Each question's type is
     * drawn by weight among the types with candidates left, and a type's weight halves each time it is used, so a
     * table asks mostly for cells but now and then for its title; in the easy preset the first registered type (the
     * headline question) comes first. Then a random candidate of that type. No question is asked twice.
     */
    private List<Qa> choose() {
        Map<String, List<Candidate>> byType = new LinkedHashMap<>();
        for (Candidate c : candidates) {
            if (o.vocab() == Vocab.DIGITS && !Vocab.isNumeric(c.answer().text())) continue;
            byType.computeIfAbsent(c.type(), k -> new ArrayList<>()).add(c);
        }
        if (byType.isEmpty()) throw new IllegalStateException(kind().label() + ": no question to ask");
        Map<String, Double> w = new LinkedHashMap<>();
        for (String t : byType.keySet()) w.put(t, weights.getOrDefault(t, 1.0));
        String head = byType.keySet().iterator().next();
        List<Qa> out = new ArrayList<>();
        List<String> asked = new ArrayList<>();
        while (out.size() < o.questionsPerImage()) {
            List<String> open = new ArrayList<>();
            double sum = 0;
            for (Map.Entry<String, List<Candidate>> e : byType.entrySet()) {
                if (e.getValue().isEmpty()) continue;
                open.add(e.getKey());
                sum += w.get(e.getKey());
            }
            if (open.isEmpty()) break;
            String t;
            if (o.easy() && out.isEmpty() && open.contains(head)) {
                t = head;
            } else {
                double r = rng.nextDouble() * sum;
                int k = 0;
                for (; k < open.size() - 1; k++) {
                    r -= w.get(open.get(k));
                    if (r < 0) break;
                }
                t = open.get(k);
            }
            w.put(t, w.get(t) / 2);
            List<Candidate> pool = byType.get(t);
            Candidate c = pool.remove(rng.nextInt(pool.size()));
            String q = o.easy() ? c.phrasings()[0] : rng.pick(c.phrasings());
            if (asked.contains(q)) continue;
            asked.add(q);
            List<Integer> keys = c.keys().stream().map(TextItem::index).toList();
            out.add(new Qa(t, q, c.answer().text(), c.answer().index(), keys, round1(c.answer().capPx())));
        }
        return out;
    }

    static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    // ---- sizes --------------------------------------------------------------------------------------------------

    /** The longer side of the image, uniform in the knobs' range. */
    int longSide() {
        return rng.range(o.minSize(), o.maxSize());
    }

    /**
     * Body text cap height: log-uniform between --min-text-px and the smaller of --max-text-px and what the page can
     * hold ({@code pageCap}), so small text is as common as large.
     */
    double bodyPx(double pageCap) {
        double hi = Math.max(o.minTextPx(), Math.min(o.maxTextPx(), pageCap));
        return rng.logUniform(o.minTextPx(), hi);
    }

    /** A larger size (headings, titles, totals): body times factor, within the knobs. */
    double larger(double body, double factor) {
        return clampPx(body * factor);
    }

    double clampPx(double px) {
        return Math.max(o.minTextPx(), Math.min(o.maxTextPx(), px));
    }

    /** The page's turn in degrees: uniform in ±--rotation, and none for a third of the pages. */
    double angle() {
        if (o.maxRotation() == 0 || rng.chance(1 / 3.0)) return 0;
        return rng.uniform(-o.maxRotation(), o.maxRotation());
    }

    // ---- colours ------------------------------------------------------------------------------------------------

    static final Color[] PAPERS = {new Color(255, 255, 255), new Color(252, 250, 244), new Color(255, 251, 238),
            new Color(245, 245, 245), new Color(246, 249, 252), new Color(250, 247, 240)};
    static final Color[] INKS = {new Color(17, 17, 17), new Color(34, 34, 34), new Color(26, 35, 80),
            new Color(45, 30, 25), new Color(51, 51, 51)};
    static final Color[] ACCENTS = {new Color(21, 101, 192), new Color(46, 125, 50), new Color(106, 27, 154),
            new Color(198, 40, 40), new Color(0, 131, 143), new Color(230, 100, 15), new Color(55, 71, 79),
            new Color(121, 85, 72), new Color(40, 53, 147)};
    static final Color[] DESKS = {new Color(92, 64, 51), new Color(60, 60, 66), new Color(120, 110, 100),
            new Color(160, 150, 135), new Color(45, 70, 90), new Color(100, 120, 100)};

    Color paper() {
        return o.easy() ? PAPERS[0] : rng.pick(PAPERS);
    }

    Color ink() {
        return o.easy() ? INKS[0] : rng.pick(INKS);
    }

    Color accent() {
        return rng.pick(ACCENTS);
    }

    /** A lighter tint of a colour (for stripes and fills behind text): t of the way to white. */
    static Color tint(Color c, double t) {
        return new Color((int) Math.round(c.getRed() + (255 - c.getRed()) * t),
                (int) Math.round(c.getGreen() + (255 - c.getGreen()) * t), (int) Math.round(c.getBlue() + (255 - c.getBlue()) * t));
    }

    static Color grey(Color ink) {
        return tint(ink, 0.45);
    }

    // ---- values -------------------------------------------------------------------------------------------------

    static String money(long cents) {
        return String.format(Locale.ROOT, "%d.%02d", cents / 100, cents % 100);
    }

    /** Thousands separated with commas: 12,345. */
    static String grouped(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    String date() {
        int y = rng.range(2015, 2025);
        int m = rng.range(1, 12);
        int d = rng.range(1, 28);
        return switch (o.easy() ? 0 : rng.nextInt(3)) {
            case 0 -> String.format(Locale.ROOT, "%04d-%02d-%02d", y, m, d);
            case 1 -> String.format(Locale.ROOT, "%02d/%02d/%04d", d, m, y);
            default -> String.format(Locale.ROOT, "%02d.%02d.%04d", d, m, y);
        };
    }

    String digits(int n) {
        StringBuilder sb = new StringBuilder();
        sb.append((char) ('1' + rng.nextInt(9)));
        for (int i = 1; i < n; i++) sb.append((char) ('0' + rng.nextInt(10)));
        return sb.toString();
    }

    String person() {
        return rng.pick(Words.FIRST_NAMES) + " " + rng.pick(Words.LAST_NAMES);
    }

    String company() {
        return rng.pick(Words.COMPANY_FIRST) + " " + rng.pick(Words.COMPANY_SECOND) + (rng.chance(0.6) ? " " + rng.pick(Words.COMPANY_SUFFIX) : "");
    }

    String street() {
        return rng.range(1, 999) + " " + rng.pick(Words.STREETS) + " " + rng.pick(Words.STREET_TYPES);
    }

    /** Cuts {@code s} (at a word if it can) so that it fits {@code width} px. */
    static String fit(String s, double width, FontBook face, double cap) {
        if (Page.advance(s, face, cap) <= width) return s;
        String t = s;
        while (t.length() > 1 && Page.advance(t, face, cap) > width) {
            int sp = t.lastIndexOf(' ');
            t = sp > 0 ? t.substring(0, sp) : t.substring(0, t.length() - 1);
        }
        return t;
    }
}
