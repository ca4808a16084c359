#!/usr/bin/python3
"""Makes the README's example images with Pillow (not with tessera's own data generator), so they are an
independent check of what tessera reads. Run with Debian's python3-pil: /usr/bin/python3 examples/make_examples.py
"""
import os
from PIL import Image, ImageDraw, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def receipt():
    items = [("Espresso", 2, 2.80), ("Croissant", 3, 2.10), ("Orange juice", 1, 3.90), ("Bagel, cream cheese", 2, 4.25),
             ("Sparkling water", 4, 1.60), ("Fruit salad", 1, 5.40)]
    w, h = 900, 1500
    img = Image.new("RGB", (w, h), (252, 251, 246))
    d = ImageDraw.Draw(img)
    title = ImageFont.truetype(BOLD, 46)
    body = ImageFont.truetype(FONT, 26)
    small = ImageFont.truetype(FONT, 18)
    d.text((w // 2, 70), "CAFE TESSERA", font=title, fill=(20, 20, 20), anchor="mm")
    d.text((w // 2, 125), "12 Mosaic Street, Ravenna", font=small, fill=(60, 60, 60), anchor="mm")
    d.text((w // 2, 150), "Receipt 0042   2026-11-22 09:14", font=small, fill=(60, 60, 60), anchor="mm")
    y = 220
    total = 0.0
    for name, qty, price in items:
        line = qty * price
        total += line
        d.text((60, y), f"{qty} x {name}", font=body, fill=(30, 30, 30))
        d.text((w - 60, y), f"{line:.2f}", font=body, fill=(30, 30, 30), anchor="ra")
        y += 48
    d.line((60, y + 10, w - 60, y + 10), fill=(80, 80, 80), width=2)
    y += 40
    d.text((60, y), "TOTAL", font=ImageFont.truetype(BOLD, 34), fill=(0, 0, 0))
    d.text((w - 60, y), f"{total:.2f}", font=ImageFont.truetype(BOLD, 34), fill=(0, 0, 0), anchor="ra")
    d.text((w // 2, h - 80), "Thank you for your visit!", font=small, fill=(60, 60, 60), anchor="mm")
    img.save(os.path.join(HERE, "receipt.png"), optimize=True)
    return total


if __name__ == "__main__":
    print("receipt total", f"{receipt():.2f}")
