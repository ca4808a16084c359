#!/usr/bin/python3
"""Makes the README's example images with Pillow (not with tessera's own data generator), so they are an
independent check of what tessera-tiny reads: another rasteriser, other layouts, other wording.
Run with Debian's python3-pil: /usr/bin/python3 examples/make_examples.py
"""
import os
from PIL import Image, ImageDraw, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
MONO_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def receipt(name, size, header, lines, extra, total_px, body_px, paper=(252, 251, 246)):
    """A till receipt: header lines, items with right-aligned prices, a rule, a big bold TOTAL, then footer lines.
    Returns the total as printed."""
    w, h = size
    img = Image.new("RGB", (w, h), paper)
    d = ImageDraw.Draw(img)
    body = ImageFont.truetype(MONO, body_px)
    small = ImageFont.truetype(MONO, max(12, body_px * 3 // 4))
    margin = w // 12
    y = h // 20
    d.text((w // 2, y), header[0], font=ImageFont.truetype(SANS_BOLD, body_px * 3 // 2), fill=(20, 20, 20), anchor="mt")
    y += body_px * 5 // 2
    for line in header[1:]:
        d.text((w // 2, y), line, font=small, fill=(60, 60, 60), anchor="mt")
        y += body_px * 3 // 2
    y += body_px
    total = 0.0
    for label, price in lines:
        total += price
        d.text((margin, y), label, font=body, fill=(30, 30, 30))
        d.text((w - margin, y), f"{price:.2f}", font=body, fill=(30, 30, 30), anchor="ra")
        y += body_px * 9 // 5
    d.line((margin, y + 4, w - margin, y + 4), fill=(80, 80, 80), width=2)
    y += body_px
    big = ImageFont.truetype(MONO_BOLD, total_px)
    d.text((margin, y), "TOTAL", font=big, fill=(0, 0, 0))
    d.text((w - margin, y), f"{total:.2f}", font=big, fill=(0, 0, 0), anchor="ra")
    y += total_px * 2
    for label, value in extra(total):
        d.text((margin, y), label, font=body, fill=(30, 30, 30))
        d.text((w - margin, y), value, font=body, fill=(30, 30, 30), anchor="ra")
        y += body_px * 9 // 5
    d.text((w // 2, h - h // 14), "Thank you for your visit!", font=small, fill=(60, 60, 60), anchor="mm")
    img.save(os.path.join(HERE, name), optimize=True)
    return f"{total:.2f}"


def cafe():
    items = [("2 x Espresso", 5.60), ("3 x Croissant", 6.30), ("Orange juice", 3.90), ("2 x Bagel", 8.50),
             ("4 x Water", 6.40), ("Fruit salad", 5.40)]
    return receipt("receipt.png", (520, 940), ["CAFE TESSERA", "12 Mosaic Street, Ravenna", "2026-11-22  09:14"],
                   items, lambda t: [("CASH", "50.00"), ("CHANGE", f"{50 - t:.2f}")], total_px=40, body_px=22)


def hardware():
    items = [("Hammer", 14.99), ("Nails 200", 3.49), ("Paint roller", 7.25), ("Tape", 2.80), ("Gloves", 5.95)]
    return receipt("hardware.png", (600, 860), ["BOLT & BEAM", "4 Quarry Lane, Leeds", "Receipt 7731  2026-10-03"],
                   items, lambda t: [("CARD", f"{t:.2f}")], total_px=44, body_px=24, paper=(255, 255, 255))


if __name__ == "__main__":
    print("receipt.png total", cafe())
    print("hardware.png total", hardware())
