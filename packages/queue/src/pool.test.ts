import { existsSync } from 'node:fs';
import { CorpusFormatError, isUserError } from '@emr-re/tokenize';
import { reviveError, workerScript } from './pool';
import { serializeError } from './worker';

describe('errors across the thread boundary', () => {
  it('keeps a user error a user error, with its code and message', () => {
    const original = new CorpusFormatError({ recordId: 'r7', field: 'text' }, 'must be a string');
    // What the worker sends is plain data: structured cloning would drop the class and the code.
    const sent = structuredClone(serializeError(original));
    const revived = reviveError(sent);
    expect(isUserError(revived)).toBe(true);
    expect((revived as CorpusFormatError).code).toBe('CORPUS_FORMAT');
    expect(revived.message).toBe('record r7: field text: must be a string');
    expect(revived.name).toBe('CorpusFormatError');
  });

  it('keeps a bug a bug, saying where it happened, with the worker stack', () => {
    const original = new TypeError('x is undefined');
    const revived = reviveError(structuredClone(serializeError(original)));
    expect(isUserError(revived)).toBe(false);
    expect(revived.name).toBe('TypeError');
    expect(revived.message).toBe('x is undefined (in a worker thread)');
    expect(revived.stack).toContain('pool.test.ts');
  });

  it('turns a thrown non-error into a message', () => {
    expect(reviveError(serializeError('boom')).message).toBe('boom (in a worker thread)');
  });
});

describe('workerScript', () => {
  it('finds the compiled worker of the package', () => {
    const file = workerScript();
    expect(file).toMatch(/dist[\\/]worker\.js$/);
    expect(existsSync(file)).toBe(true);
  });
});
