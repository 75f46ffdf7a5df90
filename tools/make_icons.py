#!/usr/bin/env python3
"""Draw the Microsoft Teams app icons into manifests/teams/.

- color.png: 192×192, opaque: a white speech bubble holding three dots in the Red, Amber
  and Green of the ratings, on the accent colour.
- outline.png: 32×32, the same speech bubble in white on a fully transparent background
  (every pixel is pure white with some alpha, or fully transparent), as Teams requires.

Shapes only, no fonts, so the output is the same on every machine. Each icon is drawn at a
multiple of its size and scaled down for smooth edges. Run from anywhere:

    .venv/bin/python tools/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT_DIR = Path(__file__).resolve().parents[1] / "manifests" / "teams"
ACCENT = (0x1B, 0x5E, 0x7A)  # the manifest's accentColor
WHITE = (255, 255, 255)
RAG = [(0xC6, 0x28, 0x28), (0xEF, 0x9A, 0x00), (0x2E, 0x7D, 0x32)]
SCALE = 8

Box = tuple[float, float, float, float]
Fill = int | tuple[int, int, int]


def _bubble(draw: ImageDraw.ImageDraw, size: float, fill: Fill) -> Box:
    """A rounded speech bubble with a tail at the lower left; returns the body's box."""
    body: Box = (0.16 * size, 0.20 * size, 0.84 * size, 0.68 * size)
    draw.rounded_rectangle(body, radius=0.12 * size, fill=fill)
    tail = [(0.28 * size, 0.62 * size), (0.26 * size, 0.84 * size), (0.48 * size, 0.64 * size)]
    draw.polygon(tail, fill=fill)
    return body


def _dots(draw: ImageDraw.ImageDraw, body: Box, radius: float, fills: list[Fill]) -> None:
    """Three dots spaced evenly across the middle of the bubble's body."""
    left, top, right, bottom = body
    cy = (top + bottom) / 2
    step = (right - left) / 4
    for i, fill in enumerate(fills, start=1):
        cx = left + i * step
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=fill)


def color_icon(size: int = 192) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGB", (big, big), ACCENT)
    draw = ImageDraw.Draw(image)
    body = _bubble(draw, big, WHITE)
    _dots(draw, body, 0.075 * big, [*RAG])
    return image.resize((size, size), Image.Resampling.LANCZOS)


def outline_icon(size: int = 32) -> Image.Image:
    """White on transparent: the shape is drawn as an alpha mask over a white image."""
    big = size * SCALE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    body = _bubble(draw, big, 255)
    _dots(draw, body, 0.07 * big, [0, 0, 0])  # dots cut out of the bubble
    alpha = mask.resize((size, size), Image.Resampling.LANCZOS)
    image = Image.new("RGBA", (size, size), (*WHITE, 0))
    image.putalpha(alpha)
    # Fully transparent pixels carry no colour at all.
    clear = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    return Image.composite(image, clear, alpha.point(lambda a: 255 if a else 0))


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    color_icon().save(OUT_DIR / "color.png", optimize=True)
    outline_icon().save(OUT_DIR / "outline.png", optimize=True)
    print(f"wrote {OUT_DIR / 'color.png'} and {OUT_DIR / 'outline.png'}")


if __name__ == "__main__":
    main()
