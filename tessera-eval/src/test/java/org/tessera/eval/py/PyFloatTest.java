package org.tessera.eval.py;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Python's float() and repr(float); every expected value was printed by CPython 3.11. */
class PyFloatTest {

    static void ok(String text, double want) {
        Double got = PyFloat.parse(text);
        assertEquals(Double.valueOf(want), got, () -> "float(" + text + ")");
    }

    static void err(String text) {
        assertNull(PyFloat.parse(text), () -> "float(" + text + ") should raise ValueError");
    }

    @Test
    void acceptsWhatPythonAccepts() {
        ok("1_0", 10.0);
        ok("1e1_0", 1e10);
        ok(" 1 ", 1.0);
        ok(".5", 0.5);
        ok("5.", 5.0);
        ok("-inf", Double.NEGATIVE_INFINITY);
        ok("+Infinity", Double.POSITIVE_INFINITY);
        ok("nAn", Double.NaN);
        ok("\uff11\uff12", 12.0);          // full-width digits
        ok("\u0663.\u0665", 3.5);          // Arabic-Indic digits
        ok("1\u00a0", 1.0);                // a no-break space is whitespace to Python
        ok("\u20001", 1.0);
        ok("1e400", Double.POSITIVE_INFINITY);
        ok("-0", -0.0);
        ok("1_000.000_1", 1000.0001);
        ok("\u000b1\f", 1.0);
        ok("+.5e-3", 0.0005);
    }

    @Test
    void rejectsWhatPythonRejects() {
        for (String s : new String[] {"\u001c1", "1__0", "_1", "1_", "1._5", "1e", ".", "infinit", "0x10", "1d", "1f", "12%",
                "1,000", "\u200b1", "1e+", "--1", "1 0", "", " "}) {
            err(s);
        }
    }

    @Test
    void reprMatchesPython() {
        assertEquals("1e+16", PyFloat.repr(1e16));
        assertEquals("1000000000000000.0", PyFloat.repr(1e15));
        assertEquals("0.0001", PyFloat.repr(0.0001));
        assertEquals("1e-05", PyFloat.repr(1e-05));
        assertEquals("1.5", PyFloat.repr(1.5));
        assertEquals("-0.0", PyFloat.repr(-0.0));
        assertEquals("1.2345678901234568e+17", PyFloat.repr(123456789012345678.0));
        assertEquals("0.30000000000000004", PyFloat.repr(0.1 + 0.2));
        assertEquals("5e-324", PyFloat.repr(Double.MIN_VALUE));
        assertEquals("1.7976931348623157e+308", PyFloat.repr(Double.MAX_VALUE));
        assertEquals("100.0", PyFloat.repr(100.0));
        assertEquals("2.5e-05", PyFloat.repr(2.5e-5));
        assertEquals("12345.678", PyFloat.repr(12345.678));
        assertEquals("nan", PyFloat.repr(Double.NaN));
        assertEquals("-inf", PyFloat.repr(Double.NEGATIVE_INFINITY));
    }
}
