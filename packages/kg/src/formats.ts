/** The serialisations this package writes, named as `emr-re export-kg --to` names them. */
export type KgFormat = 'jsonl' | 'ntriples' | 'neo4j-csv' | 'turtle';

/** Every `KgFormat`, in the order the CLI lists them. */
export const KG_FORMATS: readonly KgFormat[] = ['jsonl', 'ntriples', 'neo4j-csv', 'turtle'];
