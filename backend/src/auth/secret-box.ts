import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaasError } from '../errors.js';

/** How a sealed value starts in the metadata store: a version, so the format can change later. */
const PREFIX = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Where the generated key lives when CAAS_SECRET_KEY is not set (embedded default, one instance). */
export function secretKeyPath(dataDir: string): string {
  return join(dataDir, 'secret.key');
}

/**
 * Secrets the backend must use again later (a crawl source's token or connection string, a channel's webhook URL or
 * routing key) are kept sealed in the metadata store: AES-256-GCM under a key that is not in that store. The key is
 * CAAS_SECRET_KEY (any text of 32+ characters, hashed to 256 bits; several instances must share it), or, without
 * it, 32 random bytes written once to DATA_DIR/secret.key (mode 0600), as Grafana keeps its own secret_key beside its
 * database. A database dump or a read-only database login then shows no usable secret.
 *
 * Values written before sealing existed (no prefix) are read as they are and sealed again by their owner's
 * `resealLegacy`, so an upgrade needs no manual step.
 */
export class SecretBox {
  private constructor(
    private readonly key: Buffer,
    /** where the key came from, for messages */
    readonly origin: 'CAAS_SECRET_KEY' | 'file'
  ) {}

  static fromKey(text: string): SecretBox {
    if (text.length < 32) {
      throw new CaasError('invalid', 'invalid_secret_key', 'CAAS_SECRET_KEY must be at least 32 characters (e.g. openssl rand -base64 32)');
    }
    return new SecretBox(createHash('sha256').update(text, 'utf8').digest(), 'CAAS_SECRET_KEY');
  }

  /** CAAS_SECRET_KEY when given, else DATA_DIR/secret.key (created on first use). */
  static load(opts: { secretKey?: string; dataDir: string }): SecretBox {
    if (opts.secretKey) {
      return SecretBox.fromKey(opts.secretKey);
    }
    const path = secretKeyPath(opts.dataDir);
    if (existsSync(path)) {
      const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
      if (key.length !== 32) {
        throw new CaasError('internal', 'invalid_secret_key', `${path} does not hold a 32-byte base64 key: restore it from a backup, or set CAAS_SECRET_KEY`);
      }
      return new SecretBox(key, 'file');
    }
    mkdirSync(opts.dataDir, { recursive: true });
    const key = randomBytes(32);
    writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return new SecretBox(key, 'file');
  }

  static isSealed(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /**
   * The plain value of a stored one. `what` names it in the error when it cannot be opened (another key sealed it):
   * the message says which key to restore.
   */
  open(stored: string, what: string): string {
    if (!SecretBox.isSealed(stored)) {
      return stored;
    }
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
    try {
      if (raw.length < IV_BYTES + TAG_BYTES) {
        throw new Error('too short');
      }
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new CaasError(
        'unavailable',
        'secret_unreadable',
        `${what} was sealed with another key than this backend's (${this.origin === 'file' ? 'DATA_DIR/secret.key' : 'CAAS_SECRET_KEY'}): give every instance the same CAAS_SECRET_KEY, or register it again`
      );
    }
  }
}
