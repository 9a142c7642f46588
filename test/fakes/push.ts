/**
 * A push service on loopback that speaks the Web Push protocol as FCM or Mozilla's autopush do:
 * HTTPS (a self-signed certificate this process trusts), POST /<device> with an RFC 8291
 * aes128gcm body and an RFC 8292 VAPID Authorization header, answered 201; a device it was told is
 * gone answers 410. The devices are made as a browser makes them (a P-256 key pair and a 16-byte
 * auth secret), so a test decrypts what arrived with the device's own private key.
 */
import { execFileSync } from 'node:child_process';
import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
// http_ece is web-push's own encryption library (RFC 8188): the receiving side, as a browser decrypts.
import ece from 'http_ece';

export interface Device {
  name: string;
  ecdh: ECDH;
  auth: Buffer;
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
}

export interface Received {
  device: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function selfSignedCertificate(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'push-cert-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const pair = { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
  fs.rmSync(dir, { recursive: true, force: true });
  return pair;
}

export class FakePushService {
  readonly received: Received[] = [];
  readonly gone = new Set<string>();
  private tls = selfSignedCertificate();
  private server = https.createServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const device = (req.url ?? '/').slice(1);
      if (this.gone.has(device)) {
        res.writeHead(410).end('push subscription has unsubscribed or expired.');
        return;
      }
      this.received.push({ device, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201, { location: `https://127.0.0.1/m/${randomBytes(6).toString('hex')}` }).end();
    });
  });
  origin = '';

  /** Starts listening and makes this process trust the certificate (web-push posts through https.globalAgent). */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.origin = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    https.globalAgent.options.ca = this.tls.cert;
    return this;
  }

  device(name: string): Device {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    return { name, ecdh, auth, subscription: { endpoint: `${this.origin}/${name}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } } };
  }

  /** What the device reads: the body decrypted with its private key and auth secret. */
  static decrypt(device: Device, body: Buffer): string {
    return ece.decrypt(body, { version: 'aes128gcm', privateKey: device.ecdh, authSecret: device.auth.toString('base64url') }).toString('utf8');
  }

  stop(): Promise<void> {
    https.globalAgent.options.ca = undefined;
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
