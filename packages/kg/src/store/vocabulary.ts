import { ASSERTION_VALUES, type Assertion } from '@emr-re/tokenize';

/*
 * The RDF vocabulary of the knowledge-graph store (documented in the package README, "RDF vocabulary"): one
 * prefix for classes and properties, one IRI scheme for nodes (a kind and a content hash, so the same content is
 * the same node in every store), and the standard namespaces it borrows.
 */

/** The vocabulary namespace: `PREFIX emr: <urn:emr-re:kg#>`. */
export const KG_VOCABULARY = 'urn:emr-re:kg#';

/** The prefix of every node IRI: `urn:emr-re:kg:<kind>:<hash>`. */
export const KG_NODE_PREFIX = 'urn:emr-re:kg:';

/** The prefix of the direct relation predicates: `urn:emr-re:kg:relation:<label>`. */
export const KG_RELATION_PREFIX = 'urn:emr-re:kg:relation:';

/** The named graph `emr-re kg push` writes into when no `--graph` is given. */
export const KG_DEFAULT_GRAPH = 'urn:emr-re:kg:graph';

/** Standard namespaces. */
export const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
export const RDFS_NS = 'http://www.w3.org/2000/01/rdf-schema#';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema#';

/** The SPARQL prologue declaring `emr:`, `rdf:`, `rdfs:` and `xsd:`. */
export const KG_PROLOGUE = `PREFIX emr: <${KG_VOCABULARY}>
PREFIX rdf: <${RDF_NS}>
PREFIX rdfs: <${RDFS_NS}>
PREFIX xsd: <${XSD_NS}>
`;

/** The classes of the vocabulary, by local name. */
export const KG_CLASSES = ['Entity', 'Mention', 'Record', 'Edge', 'Evidence', 'Model'] as const;

/** A class of the vocabulary. */
export type KgClass = (typeof KG_CLASSES)[number];

/** Full IRIs of the vocabulary's terms. */
export const V = {
  type: `${RDF_NS}type`,
  label: `${RDFS_NS}label`,
  Entity: `${KG_VOCABULARY}Entity`,
  Mention: `${KG_VOCABULARY}Mention`,
  Record: `${KG_VOCABULARY}Record`,
  Edge: `${KG_VOCABULARY}Edge`,
  Evidence: `${KG_VOCABULARY}Evidence`,
  Model: `${KG_VOCABULARY}Model`,
  entityType: `${KG_VOCABULARY}entityType`,
  mentionCount: `${KG_VOCABULARY}mentionCount`,
  entity: `${KG_VOCABULARY}entity`,
  record: `${KG_VOCABULARY}record`,
  start: `${KG_VOCABULARY}start`,
  end: `${KG_VOCABULARY}end`,
  recordId: `${KG_VOCABULARY}recordId`,
  head: `${KG_VOCABULARY}head`,
  tail: `${KG_VOCABULARY}tail`,
  relation: `${KG_VOCABULARY}relation`,
  evidenceCount: `${KG_VOCABULARY}evidenceCount`,
  maxScore: `${KG_VOCABULARY}maxScore`,
  edge: `${KG_VOCABULARY}edge`,
  headMention: `${KG_VOCABULARY}headMention`,
  tailMention: `${KG_VOCABULARY}tailMention`,
  score: `${KG_VOCABULARY}score`,
  model: `${KG_VOCABULARY}model`,
  modelId: `${KG_VOCABULARY}modelId`,
  modelVersion: `${KG_VOCABULARY}modelVersion`,
  assertion: `${KG_VOCABULARY}assertion`,
  headAssertion: `${KG_VOCABULARY}headAssertion`,
  tailAssertion: `${KG_VOCABULARY}tailAssertion`,
  integer: `${XSD_NS}integer`,
  double: `${XSD_NS}double`,
} as const;

/**
 * `emr:<value>MentionCount` of an entity (its mentions with that assertion) or `emr:<value>EvidenceCount` of an
 * edge (its evidence with that assertion): `emr:historicalEvidenceCount` and so on.
 */
export function assertionCountIri(kind: 'mention' | 'evidence', value: Assertion): string {
  return `${KG_VOCABULARY}${value}${kind === 'mention' ? 'Mention' : 'Evidence'}Count`;
}

/** The properties whose value changes as records are added (counts and maxima): one value per subject. */
export const KG_MUTABLE_PROPERTIES: readonly string[] = [
  V.mentionCount,
  V.evidenceCount,
  V.maxScore,
  ...ASSERTION_VALUES.map((v) => assertionCountIri('mention', v)),
  ...ASSERTION_VALUES.map((v) => assertionCountIri('evidence', v)),
];
