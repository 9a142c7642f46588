/** The package ships no types: the one function the push test calls (RFC 8188 / RFC 8291 aes128gcm). */
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';
  const ece: { decrypt(body: Buffer, params: { version: 'aes128gcm'; privateKey: ECDH; authSecret: string }): Buffer };
  export default ece;
}
