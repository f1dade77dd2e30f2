// Reading an uploaded image file: shown on the pad, sent as a PNG data URL at a sane size.

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
  const h = pixels.length;
  const w = pixels[0].length;
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(w, h);
  for (let r = 0; r < h; r += 1) {
    for (let c = 0; c < w; c += 1) {
      const k = 4 * (r * w + c);
      const v = 255 - pixels[r][c];
      img.data[k] = v;
      img.data[k + 1] = v;
      img.data[k + 2] = v;
      img.data[k + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}
