#!/usr/bin/python3
"""Regenerates the test fixtures in this folder (run with a Python that has numpy; 1.24 made the committed files).

    /usr/bin/python3 make_fixtures.py [GOLDEN_MODEL_DIR]

Everything is deterministic. What it writes, and what the Java tests check with it:
  npy/*.npy             arrays saved by numpy.save / numpy.lib.format.write_array (NpyTest reads them, and compares
                        files Java writes for the same arrays byte for byte)
  npy/expected.json     the values and shapes of those arrays, as plain JSON numbers
  npy/headers.json      numpy's exact header bytes for many dtype/shape pairs, without data (NpyTest compares
                        Npy.header() to them)
  py_reference.safetensors / .json
                        a safetensors file written here from the format description (tensors sorted the way the
                        reference writer sorts them, header padded with spaces to 8 bytes), with its expected values
  internvl-tiny-a.safetensors        a copy of the golden bf16 checkpoint
  internvl-tiny-a.header.json        its header as Python's json module reads it
  internvl-tiny-a.<tensor>.npy       two of its tensors decoded from bf16 to float32 by bit manipulation here
"""
import io
import json
import os
import shutil
import struct
import sys

import numpy as np
from numpy.lib import format as npformat

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/golden/internvl-tiny-a"


def npy_fixtures():
    out = os.path.join(HERE, "npy")
    os.makedirs(out, exist_ok=True)
    arrays = {
        "f32_2x3": (np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 0.5),
        "f16_special": np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 6.0e-8, np.inf, -np.inf, 0.333], dtype=np.float16),
        "f64_4": np.array([1.0, 1e-300, -3.25, 2.0 ** 40], dtype=np.float64),
        "i64_5": np.array([0, -1, 2 ** 62, -(2 ** 63), 42], dtype=np.int64),
        "i32_2x2": np.array([[1, -2], [2 ** 31 - 1, -(2 ** 31)]], dtype=np.int32),
        "i16_3": np.array([-32768, 0, 32767], dtype=np.int16),
        "i8_4": np.array([-128, -1, 0, 127], dtype=np.int8),
        "u8_4": np.array([0, 1, 128, 255], dtype=np.uint8),
        "bool_3": np.array([True, False, True]),
        "f32_scalar": np.array(3.5, dtype=np.float32),
        "i64_scalar": np.array(-7, dtype=np.int64),
        "f32_0x3": np.zeros((0, 3), dtype=np.float32),
        "f32_2x0x4": np.zeros((2, 0, 4), dtype=np.float32),
        "f32_large_axis": np.arange(1000, dtype=np.float32).reshape(1000, 1) * 0.5,
        "f32_4d": (np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5) - 60) / 7,
    }
    expected = {}
    for name, a in arrays.items():
        np.save(os.path.join(out, name + ".npy"), a)
        expected[name] = {"dtype": a.dtype.str, "shape": list(a.shape),
                          "values": [None if not np.isfinite(v) else float(v) for v in a.astype(np.float64).ravel()]
                          if a.dtype.kind == "f" else [int(v) for v in a.astype(np.int64).ravel()]}
        if a.dtype.kind == "f":
            # Non-finite values are spelled out, since JSON has none.
            expected[name]["nonfinite"] = {str(i): repr(float(v)) for i, v in enumerate(a.astype(np.float64).ravel())
                                           if not np.isfinite(v)}

    # Variants a reader must handle.
    be = np.array([[1.5, -2.0, 3.25]], dtype=">f4")
    np.save(os.path.join(out, "f32_bigendian.npy"), be)
    np.save(os.path.join(out, "i64_bigendian.npy"), np.array([1, -2, 2 ** 40], dtype=">i8"))
    np.save(os.path.join(out, "f32_fortran.npy"), np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    for version in [(2, 0), (3, 0)]:
        with open(os.path.join(out, "f32_2x3_v%d.npy" % version[0]), "wb") as f:
            npformat.write_array(f, arrays["f32_2x3"], version=version)
    np.save(os.path.join(out, "c64_2.npy"), np.array([1 + 2j, 3], dtype=np.complex64))
    np.save(os.path.join(out, "structured.npy"), np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]))

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)

    # numpy's header bytes for dtype/shape pairs, written without any array data.
    cases = []
    shapes = [(), (0,), (1,), (7,), (2, 3), (0, 3), (12, 48), (3, 3, 56, 56), (10 ** 12,), (2 ** 62, 1),
              (1, 2, 3, 4, 5, 6, 7, 8), (123456789, 987654321), tuple(range(1, 33))]
    for dt in ["<f4", "<f2", "<f8", "<i8", "<i4", "<i2", "|i1", "|u1", "|b1"]:
        for shape in shapes:
            buf = io.BytesIO()
            npformat._write_array_header(buf, {"descr": dt, "fortran_order": False, "shape": shape})
            cases.append({"descr": dt, "shape": list(shape), "header_hex": buf.getvalue().hex()})
    # A header too long for version 1.0's 16-bit length: numpy switches to 2.0 (a shape no real array has,
    # but the header writer takes any tuple). Stored as length + sha256 to keep the fixture small.
    import hashlib
    long_shape = tuple([1] * 22000)
    buf = io.BytesIO()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        npformat._write_array_header(buf, {"descr": "<f4", "fortran_order": False, "shape": long_shape})
    b = buf.getvalue()
    big = {"descr": "<f4", "rank": len(long_shape), "length": len(b), "sha256": hashlib.sha256(b).hexdigest(),
           "prefix_hex": b[:12].hex()}
    with open(os.path.join(out, "headers.json"), "w") as f:
        json.dump({"cases": cases, "version2": big}, f, indent=1)


# Element order of the reference implementation's Dtype enum: its writer sorts tensors by dtype, descending in
# this order, then by name.
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64",
               "I64", "U64"]


def bf16_bits(a32):
    """float32 -> bfloat16 bit patterns, round to nearest even (finite inputs)."""
    u = a32.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def write_safetensors(path, tensors, metadata=None):
    """tensors: name -> (dtype name, shape, raw little-endian bytes)."""
    items = sorted(tensors.items(), key=lambda kv: (-DTYPE_ORDER.index(kv[1][0]), kv[0]))
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, (dt, shape, data) in items:
        header[name] = {"dtype": dt, "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, (_, _, data) in items:
            f.write(data)


def safetensors_fixture():
    f32 = np.array([[1.0, -2.0, 0.5], [3.0, 1e-3, -7.25]], dtype=np.float32)
    bf = np.array([1.0, -1.5, 3.140625, 1e-3, 65280.0, -0.0], dtype=np.float32)
    f16 = np.array([[0.5, -1.0], [2.0, 1e-4]], dtype=np.float16)
    i64 = np.array([5, -6, 2 ** 40], dtype=np.int64)
    i32 = np.array(-3, dtype=np.int32)
    u8 = np.array([[1, 2, 3, 255]], dtype=np.uint8)
    b = np.array([True, False], dtype=np.bool_)
    tensors = {
        "model.f32": ("F32", f32.shape, f32.tobytes()),
        "model.bf16": ("BF16", bf.shape, bf16_bits(bf).tobytes()),
        "model.f16": ("F16", f16.shape, f16.tobytes()),
        "ids.i64": ("I64", i64.shape, i64.tobytes()),
        "scalar.i32": ("I32", (), i32.tobytes()),
        "bytes.u8": ("U8", u8.shape, u8.tobytes()),
        "mask.bool": ("BOOL", b.shape, b.tobytes()),
        "empty.f32": ("F32", (0, 4), b""),
    }
    write_safetensors(os.path.join(HERE, "py_reference.safetensors"), tensors, {"format": "pt", "source": "make_fixtures"})
    expected = {
        "model.f32": f32.ravel().tolist(),
        # What the bf16 bits decode to (1e-3 is not representable; the others are).
        "model.bf16": (bf16_bits(bf).astype(np.uint32) << 16).view(np.float32).astype(np.float64).tolist(),
        "model.f16": f16.astype(np.float32).ravel().tolist(),
        "ids.i64": i64.tolist(),
        "scalar.i32": [int(i32)],
        "bytes.u8": u8.ravel().tolist(),
        "mask.bool": [1, 0],
        "empty.f32": [],
    }
    with open(os.path.join(HERE, "py_reference.json"), "w") as f:
        json.dump({"order": [n for n, _ in sorted(tensors.items(), key=lambda kv: (-DTYPE_ORDER.index(kv[1][0]), kv[0]))],
                   "values": expected}, f, indent=1)


def golden_fixture():
    src = os.path.join(GOLDEN, "model.safetensors")
    dst = os.path.join(HERE, "internvl-tiny-a.safetensors")
    shutil.copyfile(src, dst)
    with open(dst, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    with open(os.path.join(HERE, "internvl-tiny-a.header.json"), "w") as f:
        json.dump({"header_length": n, "header": header}, f, indent=1)
    for name in ["mlp1.1.weight", "vision_model.embeddings.position_embedding"]:
        info = header[name]
        begin, end = info["data_offsets"]
        bits = np.frombuffer(data[begin:end], dtype="<u2")
        # bf16 is the top half of a float32: widen by shifting into the high 16 bits.
        values = (bits.astype(np.uint32) << 16).view(np.float32).reshape(info["shape"])
        np.save(os.path.join(HERE, "internvl-tiny-a.%s.npy" % name), values)


if __name__ == "__main__":
    npy_fixtures()
    safetensors_fixture()
    golden_fixture()
    print("fixtures written to", HERE)
