import { createHash } from 'node:crypto';

export { existingDirectory, replaceDirectoryAtomic, writeFileAtomic } from '@emr-re/tokenize';

/** Hex SHA-256 of bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
