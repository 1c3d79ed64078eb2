/** The SDK signer's hash (@smithy/signature-v4's `sha256` option) from node:crypto, for the tests that hold our SigV4 against it. */
import { createHash, createHmac } from 'node:crypto';

export class NodeSha256 {
  private readonly hash;
  constructor(secret?: unknown) {
    this.hash = secret ? createHmac('sha256', secret as Uint8Array) : createHash('sha256');
  }
  update(data: unknown) {
    this.hash.update(data as Uint8Array);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}
