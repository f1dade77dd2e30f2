// Reading an uploaded image file: shown on the pad, sent as a PNG data URL at a sane size.

import { paintGrid } from "../shared/paint-grid.js";

const MAX_SIDE = 512;

/** File -> {bitmap, dataURL}: the image decoded, and re-encoded as PNG with a side <= 512 px. */
export async function readImageFile(file) {
  if (!file.type.startsWith("image/")) throw new Error(`${file.name} is not an image file`);
  const bitmap = await createImageBitmap(file);
  const s = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * s));
  canvas.height = Math.max(1, Math.round(bitmap.height * s));
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return { picture: canvas, dataURL: canvas.toDataURL("image/png") };
}

/** 28 x 28 MNIST pixels (0-255, light ink on black) -> a canvas showing dark ink on white. */
export function pixelsToPicture(pixels) {
  const canvas = document.createElement("canvas");
  canvas.height = pixels.length;
  canvas.width = pixels[0].length;
  paintGrid(canvas.getContext("2d"), canvas.height, canvas.width, (r, c) => {
    const v = 255 - pixels[r][c];
    return [v, v, v];
  });
  return canvas;
}
