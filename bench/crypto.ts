/** `npm run bench:crypto`: what encryption at rest costs per message (AES-256-GCM seal and open, the blind search index). */
import { keyRing } from '../src/encryption/keys.js';
import { openText, sealText } from '../src/encryption/cipher.js';
import { searchVector } from '../src/encryption/search.js';
const ring = keyRing(Buffer.alloc(32, 3));
const text = 'Hi Dr. Patel, my crown came loose after lunch. Can I come in on Thursday afternoon? It hurts a little when I chew.';
const n = 20000;
let t = process.hrtime.bigint(); let sealed = '';
for (let i = 0; i < n; i++) sealed = sealText(ring, text, 'messages.body');
const seal = Number(process.hrtime.bigint() - t) / n / 1000;
t = process.hrtime.bigint();
for (let i = 0; i < n; i++) openText(ring, sealed, 'messages.body');
const open = Number(process.hrtime.bigint() - t) / n / 1000;
t = process.hrtime.bigint(); let v = '';
for (let i = 0; i < n; i++) v = searchVector(ring, '00000000-0000-4000-8000-000000000000', text);
const idx = Number(process.hrtime.bigint() - t) / n / 1000;
console.log(`${text.length}-char message: seal ${seal.toFixed(1)} µs, open ${open.toFixed(1)} µs, blind index ${idx.toFixed(1)} µs (${v.split(' ').length} tokens, ${v.length} bytes; ciphertext ${sealed.length} bytes)`);
