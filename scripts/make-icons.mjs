/**
 * Draws the app's icons (web/public/icons) without any image tool or network: a speech bubble on
 * the app's blue, as PNG (zlib + CRC-32 from node) at the sizes a web manifest needs, "any" and
 * "maskable" (the bubble inside the safe zone). Run: node scripts/make-icons.mjs
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const blue = [0x1f, 0x4f, 0xc4];
const white = [0xff, 0xff, 0xff];

function crc32(buf) {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Whether (x, y), in 0…1 of the picture, is on the bubble: a rounded rectangle with a tail. */
function onBubble(x, y, inset) {
  const s = (v) => (v - inset) / (1 - 2 * inset);
  const u = s(x);
  const v = s(y);
  const [l, r, t, b, radius] = [0.16, 0.84, 0.2, 0.68, 0.12];
  const cx = Math.min(Math.max(u, l + radius), r - radius);
  const cy = Math.min(Math.max(v, t + radius), b - radius);
  if ((u - cx) ** 2 + (v - cy) ** 2 <= radius ** 2) return true;
  // The tail, down and to the left from the bubble's bottom.
  return v >= b - 0.01 && v <= 0.84 && u >= 0.26 && u <= 0.26 + (0.84 - v) * 0.9 && u <= 0.44;
}

function png(size, { maskable }) {
  const rows = [];
  const rounded = !maskable;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const [u, v] = [(x + 0.5) / size, (y + 0.5) / size];
      // "any" icons get rounded corners; maskable ones fill the square (the platform crops them).
      const corner = 0.2;
      const dx = Math.max(corner - u, u - (1 - corner), 0);
      const dy = Math.max(corner - v, v - (1 - corner), 0);
      const inside = !rounded || dx * dx + dy * dy <= corner * corner;
      const colour = onBubble(u, v, maskable ? 0.12 : 0) ? white : blue;
      row.set([...colour, inside ? 255 : 0], 1 + x * 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

const dir = new URL('../web/public/icons/', import.meta.url);
for (const size of [192, 512]) {
  writeFileSync(new URL(`icon-${size}.png`, dir), png(size, { maskable: false }));
  writeFileSync(new URL(`maskable-${size}.png`, dir), png(size, { maskable: true }));
}
writeFileSync(new URL('apple-touch-icon.png', dir), png(180, { maskable: true }));
