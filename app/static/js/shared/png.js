// A canvas as an 8-bit grayscale PNG data URL: a quarter of the pixels toDataURL() sends as RGBA,
// so the server inflates and converts a quarter as much. Lossless for gray drawings.

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (the PNG/zlib polynomial) of bytes. */
function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC of type + data. */
function chunk(type, data) {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** (H rows of W) gray bytes with a filter byte (0, none) before each row: PNG's raw scanlines. */
function scanlines(canvas) {
  const { width, height } = canvas;
  const rgba = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  const rows = new Uint8Array(height * (width + 1));
  for (let y = 0, o = 0, p = 0; y < height; y++) {
    rows[o++] = 0;
    for (let x = 0; x < width; x++, p += 4) {
      // Rec. 601 luma, in integers (what the server's "L" conversion uses), over white paper.
      const a = rgba[p + 3];
      const luma = (rgba[p] * 299 + rgba[p + 1] * 587 + rgba[p + 2] * 114 + 500) / 1000;
      rows[o++] = Math.round((luma * a + 255 * (255 - a)) / 255);
    }
  }
  return rows;
}

/** Bytes -> zlib stream (what PNG's IDAT holds), by the browser's own compressor. */
async function zlibDeflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Bytes -> base64 text, in slices small enough for String.fromCharCode. */
function base64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** A canvas -> Promise of "data:image/png;base64,..." holding an 8-bit grayscale PNG. */
export async function grayPNGDataURL(canvas) {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, canvas.width);
  view.setUint32(4, canvas.height);
  header.set([8, 0, 0, 0, 0], 8); // 8 bits, grayscale, deflate, no filter method, no interlace
  const parts = [
    new Uint8Array(SIGNATURE),
    chunk("IHDR", header),
    chunk("IDAT", await zlibDeflate(scanlines(canvas))),
    chunk("IEND", new Uint8Array(0)),
  ];
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (png.set(p, at), at + p.length), 0);
  return `data:image/png;base64,${base64(png)}`;
}
