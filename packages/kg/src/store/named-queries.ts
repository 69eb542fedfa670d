import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '@emr-re/tokenize';
import { normaliseMention } from '../graph';
import { sparqlString } from './sparql';

/** A parameter of a named query: a `$name` variable of its `.rq` file, replaced by a string literal. */
export interface NamedQueryParameter {
  name: string;
  /** An entity name is looked up in its normalised form (`normaliseMention`); a relation label as given. */
  kind: 'entity' | 'label';
}

/** A ready question shipped with the package: a SPARQL file in `queries/` and its parameters, in order. */
export interface NamedQuery {
  name: string;
  description: string;
  params: NamedQueryParameter[];
  /** The file name under the package's `queries/` folder. */
  file: string;
}

const disease: NamedQueryParameter[] = [{ name: 'disease', kind: 'entity' }];

/** The named queries, each working for both shipped schemas (CMeIE's labels and the paper's Table 2). */
export const NAMED_QUERIES: readonly NamedQuery[] = [
  {
    name: 'drugs-for',
    description: 'drugs (CMeIE 药物治疗) or treatments (paper TrAD) for a disease',
    params: disease,
    file: 'drugs-for.rq',
  },
  {
    name: 'tests-for',
    description: 'tests that reveal a disease (CMeIE 检查 labels, paper TeRD)',
    params: disease,
    file: 'tests-for.rq',
  },
  {
    name: 'symptoms-of',
    description: 'symptoms of a disease (CMeIE 临床表现...; paper schema: symptoms in the same records)',
    params: disease,
    file: 'symptoms-of.rq',
  },
  {
    name: 'body-parts-of',
    description: 'body parts of a disease (CMeIE 发病部位..., paper DAP)',
    params: disease,
    file: 'body-parts-of.rq',
  },
  {
    name: 'evidence-of',
    description: 'the records and offsets behind an edge HEAD LABEL TAIL',
    params: [
      { name: 'head', kind: 'entity' },
      { name: 'label', kind: 'label' },
      { name: 'tail', kind: 'entity' },
    ],
    file: 'evidence-of.rq',
  },
];

/** The folder of the `.rq` files: `queries/` at the package root (beside `src/` and `dist/`). */
export const NAMED_QUERY_DIR = path.resolve(__dirname, '..', '..', 'queries');

/** The named query called `name`. @throws UsageError naming the known ones. */
export function namedQuery(name: string): NamedQuery {
  const query = NAMED_QUERIES.find((q) => q.name === name);
  if (query === undefined) {
    throw new UsageError(`unknown named query '${name}' (known: ${NAMED_QUERIES.map((q) => q.name).join(', ')})`);
  }
  return query;
}

/**
 * The SPARQL text of a named query with its arguments bound: each `$param` becomes a string literal (entity
 * names normalised as the store normalises them).
 * @throws UsageError when the number of arguments differs from the query's parameters.
 */
export function bindNamedQuery(query: NamedQuery, args: readonly string[], text?: string): string {
  if (args.length !== query.params.length) {
    throw new UsageError(
      `${query.name} takes ${query.params.length} argument${query.params.length === 1 ? '' : 's'} (${query.params
        .map((p) => p.name.toUpperCase())
        .join(' ')}), got ${args.length}`,
    );
  }
  const values = new Map(
    query.params.map((p, i) => [p.name, sparqlString(p.kind === 'entity' ? normaliseMention(args[i]) : args[i])]),
  );
  const source = text ?? readFileSync(path.join(NAMED_QUERY_DIR, query.file), 'utf8');
  return source.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, name: string) => values.get(name) ?? m);
}
