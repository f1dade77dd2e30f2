"""A small PNG of training curves, drawn with Pillow (no plotting library needed)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

COLOURS = {"train": (33, 102, 172), "val": (214, 96, 77)}


def _panel(
    draw: ImageDraw.ImageDraw,
    box: tuple[int, int, int, int],
    title: str,
    series: dict[str, list[float]],
) -> None:
    x0, y0, x1, y1 = box
    values = [v for s in series.values() for v in s]
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        hi = lo + 1e-3
    draw.rectangle(box, outline=(180, 180, 180))
    draw.text((x0 + 6, y0 + 4), f"{title}  [{lo:.4f} .. {hi:.4f}]", fill=(0, 0, 0))
    for i, (label, ys) in enumerate(series.items()):
        n = len(ys)
        pts = [
            (
                x0 + 10 + (x1 - x0 - 20) * (k / max(n - 1, 1)),
                y1 - 10 - (y1 - y0 - 40) * ((v - lo) / (hi - lo)),
            )
            for k, v in enumerate(ys)
        ]
        colour = COLOURS.get(label, (0, 0, 0))
        if len(pts) > 1:
            draw.line(pts, fill=colour, width=2)
        for p in pts:
            draw.ellipse((p[0] - 2, p[1] - 2, p[0] + 2, p[1] + 2), fill=colour)
        draw.text((x1 - 60, y0 + 4 + 12 * i), label, fill=colour)


def plot_curves(history: dict[str, list[float]], path: Path) -> Path:
    """Loss and accuracy per epoch (train vs validation) -> PNG at `path`."""
    img = Image.new("RGB", (720, 300), "white")
    draw = ImageDraw.Draw(img)
    _panel(
        draw,
        (10, 10, 355, 290),
        "loss",
        {"train": history["train_loss"], "val": history["val_loss"]},
    )
    _panel(
        draw,
        (365, 10, 710, 290),
        "accuracy",
        {"train": history["train_accuracy"], "val": history["val_accuracy"]},
    )
    img.save(path)
    return path
