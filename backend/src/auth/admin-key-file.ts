import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Without CAAS_ADMIN_KEY the embedded default still needs an admin: the first start writes a
 * random key to DATA_DIR/admin.key (mode 0600) and later starts and the CLI read it from there.
 */
export function adminKeyPath(dataDir: string): string {
  return join(dataDir, 'admin.key');
}

export function readAdminKeyFile(dataDir: string): string | undefined {
  const p = adminKeyPath(dataDir);
  return existsSync(p) ? readFileSync(p, 'utf8').trim() || undefined : undefined;
}

export function ensureAdminKeyFile(dataDir: string): { key: string; created: boolean } {
  const existing = readAdminKeyFile(dataDir);
  if (existing) {
    return { key: existing, created: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const key = `caas_admin_${randomBytes(24).toString('base64url')}`;
  writeFileSync(adminKeyPath(dataDir), key + '\n', { mode: 0o600 });
  return { key, created: true };
}
