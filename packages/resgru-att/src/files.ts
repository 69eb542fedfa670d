export { existingDirectory, replaceDirectoryAtomic, writeFileAtomic } from '@emr-re/tokenize';
export { sha256 } from '@emr-re/engine';
