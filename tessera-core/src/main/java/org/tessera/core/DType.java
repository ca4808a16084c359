package org.tessera.core;

/** Element types of tensors as stored in checkpoint and array files. */
public enum DType {
    F32(4, "F32", "<f4"),
    F16(2, "F16", "<f2"),
    BF16(2, "BF16", null),
    F64(8, "F64", "<f8"),
    I64(8, "I64", "<i8"),
    I32(4, "I32", "<i4"),
    I16(2, "I16", "<i2"),
    I8(1, "I8", "|i1"),
    U8(1, "U8", "|u1"),
    BOOL(1, "BOOL", "|b1");

    private final int byteSize;
    private final String safetensorsName;
    private final String numpyDescr;

    DType(int byteSize, String safetensorsName, String numpyDescr) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
        this.numpyDescr = numpyDescr;
    }

    /** Bytes per element. */
    public int byteSize() { return byteSize; }

    /** The dtype string in a safetensors header ("BF16", "F32", ...). */
    public String safetensorsName() { return safetensorsName; }

    /** The little-endian NumPy {@code descr} ("&lt;f4", ...), or null where NumPy has no such type (bf16). */
    public String numpyDescr() { return numpyDescr; }

    /** Looks up a safetensors dtype name; null if tessera does not know it. */
    public static DType fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) return t;
        }
        return null;
    }
}
