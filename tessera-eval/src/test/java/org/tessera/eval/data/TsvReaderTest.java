package org.tessera.eval.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.eval.Fixtures;
import org.tessera.eval.Kind;
import org.tessera.vision.image.ImageLoadOptions;
import org.tessera.vision.image.RgbImage;

class TsvReaderTest {
    @TempDir
    Path dir;

    static RgbImage load(ImageRef ref) {
        return ref.input("test").load(ImageLoadOptions.defaults());
    }

    @Test
    void imagesAnswersAndQuotedCells() throws Exception {
        String img1 = Fixtures.base64Png(30, 20, 1), img2 = Fixtures.base64Png(12, 40, 2), img3 = Fixtures.base64Png(8, 8, 3);
        String text = "\uFEFFindex\timage\tquestion\tanswer\tcategory\tsplit\r\n"
                + "1\t" + img1 + "\tWhat is it?\t['seven', \"7\"]\tdigits\tval\r\n"
                + "\n"                                                   // blank lines are skipped
                + "2\t1\t\"A \"\"quoted\"\" question\twith a tab\nand a newline\"\tplain\tnan\tval\n"
                + "3\t['" + img2 + "', '" + img3 + "']\tTwo images?\tNone\tdigits\ttest\n";
        Dataset d = TsvReader.read(Fixtures.write(dir.resolve("t.tsv"), text));
        assertEquals(List.of(), d.problems());
        assertEquals(3, d.size());
        assertTrue(d.hasSplit() && d.hasCategory() && !d.hasL2());

        Sample s1 = d.samples().get(0);
        assertEquals("1", s1.index());
        assertEquals(2, s1.line());
        assertEquals(List.of("seven", "7"), s1.answers());
        assertInstanceOf(ImageRef.Base64Slice.class, s1.images().get(0)); // not held in memory
        assertEquals(30, load(s1.images().get(0)).width());

        Sample s2 = d.samples().get(1);
        assertEquals(4, s2.line());
        assertEquals("A \"quoted\" question\twith a tab\nand a newline", s2.question());
        assertEquals(s1.images(), s2.images());                          // the image of row 1, reused
        assertEquals(List.of("plain"), s2.answers());
        assertNull(s2.category());                                       // "nan" is pandas' missing value

        Sample s3 = d.samples().get(2);
        assertEquals(6, s3.line());                                      // the quoted newline counted
        assertEquals(2, s3.images().size());
        assertEquals(40, load(s3.images().get(0)).height());
        assertEquals(8, load(s3.images().get(1)).width());
        assertEquals(List.of("None"), s3.answers());                     // answers are kept as written
    }

    @Test
    void optionsHintAndMissingValues() throws Exception {
        String img = Fixtures.base64Png(10, 10, 0);
        Path f = Fixtures.tsv(dir.resolve("mcq.tsv"),
                new String[] {"index", "image", "question", "hint", "A", "B", "C", "D", "answer", "category", "l2-category"},
                new String[] {"7", img, "Which?", "nan", "red", "None", "blue", "", "C", "coarse_perception", "x"},
                new String[] {"8", "7", "And?", "Look left.", "up", "down", "NA", "N/A", "A", "logic_reasoning", "y"});
        Dataset d = TsvReader.read(f);
        assertEquals(List.of(), d.problems());
        Sample a = d.samples().get(0);
        assertNull(a.hint());
        assertEquals(Map.of("A", "red", "C", "blue"), a.options()); // "None" and "" are missing values to pandas
        assertEquals(List.of("A", "C"), List.copyOf(a.options().keySet()));
        assertEquals("Look left.", d.samples().get(1).hint());
        assertEquals("Look left.\nAnd?\nA. up\nB. down\nAnswer with the option's letter from the given choices directly.",
                Kind.MMBENCH.prompt(d.samples().get(1)));
    }

    @Test
    void malformedRowsAreReportedWithTheirLines() throws Exception {
        String img = Fixtures.base64Png(10, 10, 0);
        Path f = Fixtures.tsv(dir.resolve("bad.tsv"),
                new String[] {"index", "image", "question", "answer"},
                new String[] {"1", img, "fine", "a"},                         // line 2
                new String[] {"2", img, "too few fields"},                     // line 3
                new String[] {"1", img, "duplicate index", "b"},               // line 4
                new String[] {"4", "99", "refers to no row", "c"},             // line 5
                new String[] {"5", "1", "fine too (reuses 1)", "d"},           // line 6
                new String[] {"6", "5", "refers to a row without its own image", "e"}, // line 7
                new String[] {"7", "['not base64", "bad list", "f"},           // line 8
                new String[] {"8", img, "", "g"},                              // line 9
                new String[] {"9", img, "extra", "h", "field"});               // line 10
        Dataset d = TsvReader.read(f);
        assertEquals(List.of("1", "5"), d.samples().stream().map(Sample::index).toList());
        assertEquals(List.of(3, 4, 5, 7, 8, 9, 10), d.problems().stream().map(RowProblem::line).toList());
        assertTrue(d.problems().get(0).message().contains("has 3 fields, the header has 4"), d.problems().get(0).toString());
        assertTrue(d.problems().get(1).message().contains("duplicate index (also on line 2)"));
        assertTrue(d.problems().get(2).message().contains("names no row"));
        assertTrue(d.problems().get(3).message().contains("no image of its own"));
        assertEquals("bad.tsv:5 (index 4): the image cell '99' names no row's index", d.problems().get(2).toString());

        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.load(f, Kind.VQA, OnError.FAIL, false));
        assertTrue(e.getMessage().startsWith("7 malformed rows in "), e.getMessage());
        assertTrue(e.getMessage().contains("bad.tsv:3 (index 2): has 3 fields"), e.getMessage());
        Dataset skipped = Datasets.load(f, Kind.VQA, OnError.SKIP, false);
        assertEquals(2, skipped.size());
        assertEquals(7, skipped.problems().size());
    }

    @Test
    void kindChecks() throws Exception {
        String img = Fixtures.base64Png(10, 10, 0);
        Path f = Fixtures.tsv(dir.resolve("k.tsv"),
                new String[] {"index", "image", "question", "A", "B", "answer", "category"},
                new String[] {"1", img, "q", "x", "y", "B", "Regular Text Recognition"},
                new String[] {"2", img, "q", "x", "y", "E", "Regular Text Recognition"},
                new String[] {"a3", img, "q", "x", "y", "A", "Doc-oriented VQA"},
                new String[] {"4", img, "q", "x", "y", "", "Doc-oriented VQA"});
        Dataset mcq = Datasets.load(f, Kind.MMBENCH, OnError.SKIP, false);
        assertEquals(List.of("1", "4"), mcq.samples().stream().map(Sample::index).toList());
        assertTrue(mcq.problems().get(0).message().contains("'E' is not one of the options A, B"));
        assertTrue(mcq.problems().get(1).message().contains("not an integer"));
        Dataset ocr = Datasets.load(f, Kind.OCRBENCH, OnError.SKIP, true);
        assertEquals(List.of(), ocr.samples());                    // "B", "E", "A" are not list literals; 4 has no answer
        assertTrue(ocr.problems().get(0).message().contains("not a Python list literal"));
        assertTrue(ocr.problems().get(3).message().contains("no answer"));
    }

    @Test
    void aFileWithoutAnswersCannotBeScored() {
        Path f = Fixtures.tsv(dir.resolve("test.tsv"), new String[] {"index", "question"}, new String[] {"1", "q"}, new String[] {"2", "r"});
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.load(f, Kind.DOCVQA, OnError.SKIP, true));
        assertTrue(e.getMessage().contains("has no answers"), e.getMessage());
    }

    @Test
    void circularLimitKeepsWholeGroups() throws Exception {
        Path f = Fixtures.tsv(dir.resolve("c.tsv"), new String[] {"index", "question", "A", "B", "answer"},
                new String[] {"0", "q0", "x", "y", "A"}, new String[] {"1", "q1", "x", "y", "A"},
                new String[] {"1000000", "q0", "y", "x", "B"}, new String[] {"1000001", "q1", "y", "x", "B"},
                new String[] {"2", "q2", "x", "y", "A"});
        Dataset d = Datasets.limit(Datasets.load(f, Kind.MMBENCH, OnError.FAIL, true), Kind.MMBENCH, 2);
        assertEquals(List.of("0", "1", "1000000", "1000001"), d.samples().stream().map(Sample::index).toList());
        assertEquals(3, Datasets.limit(Datasets.load(f, Kind.AI2D, OnError.FAIL, true), Kind.AI2D, 3).size());
    }

    @Test
    void headerWithoutTheColumnsIsAnError() {
        Path f = Fixtures.tsv(dir.resolve("h.tsv"), new String[] {"id", "text"}, new String[] {"1", "x"});
        DatasetException e = assertThrows(DatasetException.class, () -> TsvReader.read(f));
        assertTrue(e.getMessage().contains("no 'index' column"), e.getMessage());
    }
}
