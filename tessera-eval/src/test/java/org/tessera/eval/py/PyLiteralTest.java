package org.tessera.eval.py;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Python literals as eval() reads answer and image cells; str() of the elements as Python prints them. */
class PyLiteralTest {

    @Test
    void listsOfStrings() {
        assertEquals(List.of("a", "b", "c'd"), PyLiteral.stringList("['a', \"b\", 'c\\'d']"));
        assertEquals(List.of("x"), PyLiteral.stringList("['x',]"));
        assertEquals(List.of(), PyLiteral.stringList("[]"));
        assertEquals(List.of("ab"), PyLiteral.stringList("[ 'a' 'b' ]"));           // adjacent literals join
        assertEquals(List.of("\u00e9\n\t\\"), PyLiteral.stringList("['\\u00e9\\n\\t\\\\']"));
        assertEquals(List.of("\\d"), PyLiteral.stringList("[r'\\d']"));
        assertEquals(List.of("multi\nline"), PyLiteral.stringList("['''multi\nline''']"));
        assertEquals(List.of("\u00e9"), PyLiteral.stringList("['\\N{LATIN SMALL LETTER E WITH ACUTE}']"));
        assertEquals(List.of("A", "\\q"), PyLiteral.stringList("['\\x41', '\\q']"));  // unknown escapes keep the backslash
    }

    @Test
    void otherElementsPrintAsPythonStrDoes() {
        assertEquals(List.of("1", "2.5", "None", "True", "1000.0", "-2", "16", "['x', 'y']"),
                PyLiteral.stringList("[1, 2.5, None, True, 1e3, -2, 0x10, ['x', 'y']]"));
        assertEquals("(1,)", PyLiteral.repr(PyLiteral.parse("(1,)")));
        assertEquals("\"it's\"", PyLiteral.repr("it's"));
    }

    @Test
    void notAListIsNull() {
        assertNull(PyLiteral.stringList("('a', 'b')")); // a tuple: VLMEvalKit's istype(x, list) is false
        assertNull(PyLiteral.stringList("not a list"));
        assertNull(PyLiteral.stringList("['unterminated"));
        assertNull(PyLiteral.stringList("[a, b]"));     // names: eval would raise NameError
        assertNull(PyLiteral.stringList("12"));
        assertNull(PyLiteral.stringList("[1] + [2]"));
        assertNull(PyLiteral.stringList("[007]"));      // leading zeros are a SyntaxError in Python 3
    }
}
