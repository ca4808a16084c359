package org.tessera.eval.py;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Python str semantics; expected values from CPython 3.11. */
class PyStrTest {

    @Test
    void whitespaceIsPythonsSet() {
        // [c for c in range(0x110000) if chr(c).isspace()]
        List<Integer> python = List.of(9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197,
                8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288);
        List<Integer> ours = new ArrayList<>();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) if (PyStr.isSpace(cp)) ours.add(cp);
        assertEquals(python, ours);
        // and the regex class agrees
        for (int cp = 0; cp < 0x10000; cp++) {
            assertEquals(PyStr.isSpace(cp), String.valueOf((char) cp).matches(PyStr.SPACE_CLASS), "U+" + Integer.toHexString(cp));
        }
    }

    @Test
    void stripSplitAndCase() {
        assertEquals("yes", PyStr.strip("\u00a0yes\u202f\n"));
        assertEquals("\u200byes", PyStr.strip("\u200byes ")); // U+200B is not whitespace to Python
        assertEquals(List.of("a", "b", "c"), PyStr.split(" a\u3000b\u001fc  "));
        assertEquals(List.of(), PyStr.split(" \t "));
        assertEquals("a b", PyStr.collapseSpaces("  a \n\n b "));
        assertEquals("SS", PyStr.upper("\u00df"));
        assertEquals(2, PyStr.len(PyStr.upper("\u00df")));
        assertEquals("FI", PyStr.upper("\ufb01"));
        assertEquals("\u03b1\u03c2", PyStr.lower("\u0391\u03a3")); // final sigma
        assertEquals(2, PyStr.len(PyStr.lower("\u0130")));            // 'İ'.lower() is 'i' + combining dot
        assertEquals(1, PyStr.len("\ud83d\ude00"));                    // one code point, two UTF-16 units
        assertEquals("12", PyStr.rstrip("12%%", "%"));
    }
}
