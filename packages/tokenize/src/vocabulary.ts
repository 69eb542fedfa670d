import * as fs from 'node:fs';
import { CorpusFormatError, UsageError } from './errors';
import { writeFileAtomic, writeFileAtomicSync } from './write';

/** Padding token, id 0. */
export const PAD_TOKEN = '<pad>';
/** Unknown-character token, id 1. */
export const UNK_TOKEN = '<unk>';
/** Id of `PAD_TOKEN`. */
export const PAD_ID = 0;
/** Id of `UNK_TOKEN`. */
export const UNK_ID = 1;

/** The saved form of a `CharVocabulary`. */
export interface CharVocabularyJson {
  version: 1;
  tokens: string[];
}

/** Options of `CharVocabulary.build`. */
export interface VocabularyBuildOptions {
  /** Keep characters seen at least this often (default 1). */
  minCount?: number;
  /** At most this many tokens, `<pad>` and `<unk>` included (default: no limit). */
  maxSize?: number;
}

/**
 * Character vocabulary: id 0 `<pad>`, id 1 `<unk>`, then characters. A character is one UTF-16 code unit,
 * the unit of every record offset, so ids line up with entity spans.
 */
export class CharVocabulary {
  private readonly list: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;

  private constructor(tokens: readonly string[]) {
    this.list = tokens;
    this.ids = new Map(tokens.map((t, i) => [t, i]));
  }

  /**
   * Counts the characters of `texts` and keeps those seen `minCount` times or more, most frequent first
   * (ties in code unit order), cut to `maxSize` tokens in all.
   */
  static build(texts: Iterable<string>, options: VocabularyBuildOptions = {}): CharVocabulary {
    const minCount = options.minCount ?? 1;
    const maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    if (!Number.isInteger(minCount) || minCount < 1)
      throw new UsageError(`minCount must be an integer ≥ 1, got ${minCount}`);
    if (maxSize !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxSize) || maxSize < 2)) {
      throw new UsageError(`maxSize must be an integer ≥ 2 (it counts <pad> and <unk>), got ${maxSize}`);
    }
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        counts.set(ch, (counts.get(ch) ?? 0) + 1);
      }
    }
    counts.delete(PAD_TOKEN);
    counts.delete(UNK_TOKEN);
    const kept = [...counts.entries()]
      .filter(([, n]) => n >= minCount)
      .sort(([a, na], [b, nb]) => nb - na || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, Math.max(0, maxSize - 2))
      .map(([ch]) => ch);
    return new CharVocabulary([PAD_TOKEN, UNK_TOKEN, ...kept]);
  }

  /** Id of a character; `UNK_ID` when unknown. */
  id(char: string): number {
    return this.ids.get(char) ?? UNK_ID;
  }

  /** Ids of every character of `text`, `(length)`. */
  encode(text: string): Int32Array {
    const out = new Int32Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = this.id(text[i]);
    return out;
  }

  /** The token of an id; throws RangeError outside `[0, size)`. */
  token(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.list.length)
      throw new RangeError(`token id ${id} is outside [0, ${this.list.length})`);
    return this.list[id];
  }

  /** Number of tokens, `<pad>` and `<unk>` included. */
  get size(): number {
    return this.list.length;
  }

  /** Every token, in id order. */
  get tokens(): readonly string[] {
    return this.list;
  }

  /** The saved form `{version: 1, tokens}`. */
  toJSON(): CharVocabularyJson {
    return { version: 1, tokens: [...this.list] };
  }

  /** Validates a saved vocabulary (`source` names it in errors) and rebuilds it. */
  static fromJSON(json: unknown, source = 'vocabulary'): CharVocabulary {
    const fail = (field: string, reason: string): never => {
      throw new CorpusFormatError({ file: source, field }, reason);
    };
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      return fail('(root)', 'a vocabulary must be a JSON object {version, tokens}');
    const obj = json as Record<string, unknown>;
    if (obj.version !== 1) fail('version', `must be 1, got ${JSON.stringify(obj.version) ?? 'nothing'}`);
    const tokens = obj.tokens;
    if (!Array.isArray(tokens)) return fail('tokens', 'must be an array of strings');
    if (tokens[0] !== PAD_TOKEN) fail('tokens[0]', `must be "${PAD_TOKEN}"`);
    if (tokens[1] !== UNK_TOKEN) fail('tokens[1]', `must be "${UNK_TOKEN}"`);
    const seen = new Set<string>();
    tokens.forEach((t: unknown, i: number) => {
      if (typeof t !== 'string' || t === '') fail(`tokens[${i}]`, 'must be a non-empty string');
      if (seen.has(t as string)) fail(`tokens[${i}]`, 'duplicate token');
      seen.add(t as string);
    });
    return new CharVocabulary(tokens as string[]);
  }

  /** Writes the vocabulary as JSON, atomically. */
  async save(file: string): Promise<void> {
    await writeFileAtomic(file, JSON.stringify(this.toJSON()) + '\n');
  }

  /** Synchronous `save`. */
  saveSync(file: string): void {
    writeFileAtomicSync(file, JSON.stringify(this.toJSON()) + '\n');
  }

  /** Reads and validates a vocabulary saved by `save`. */
  static async load(file: string): Promise<CharVocabulary> {
    return CharVocabulary.parse(await readOrFail(() => fs.promises.readFile(file, 'utf8'), file), file);
  }

  /** Synchronous `load`. */
  static loadSync(file: string): CharVocabulary {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw unreadable(file, err);
    }
    return CharVocabulary.parse(text, file);
  }

  private static parse(text: string, file: string): CharVocabulary {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CorpusFormatError({ file }, 'a vocabulary file must be JSON {version: 1, tokens: [...]}');
    }
    return CharVocabulary.fromJSON(json, file);
  }
}

function unreadable(file: string, err: unknown): CorpusFormatError {
  return new CorpusFormatError(
    { file },
    `cannot read vocabulary: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
  );
}

async function readOrFail(read: () => Promise<string>, file: string): Promise<string> {
  try {
    return await read();
  } catch (err) {
    throw unreadable(file, err);
  }
}
