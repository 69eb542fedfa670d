import type { JsonSchema } from './openapi';

/*
 * The JSON schemas of the service's bodies. Fastify validates requests with them and serialises responses with
 * them, and `/openapi.json` is generated from them: the one description of the wire format.
 */

/** The assertion of an entity mention (issue 20): present, absent, possible, historical or family. */
const assertionValue: JsonSchema = { type: 'string', enum: ['present', 'absent', 'possible', 'historical', 'family'] };

/** `{error: {status, code, message}}`: every error answer. */
export const errorSchema: JsonSchema = {
  type: 'object',
  description: 'An error: HTTP status, a stable code, a message naming ids and fields (never record text)',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['status', 'code', 'message'],
      properties: { status: { type: 'integer' }, code: { type: 'string' }, message: { type: 'string' } },
    },
  },
};

/** An entity of a request: offsets into the record's text (`text` optional, taken from the offsets). */
export const entityInSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'type', 'start', 'end'],
  properties: {
    id: { type: 'string', minLength: 1 },
    type: { type: 'string', minLength: 1 },
    start: { type: 'integer', minimum: 0 },
    end: { type: 'integer', minimum: 1 },
    text: { type: 'string' },
    score: { type: 'number' },
    assertion: assertionValue,
  },
};

/**
 * An entity of an answer: UTF-16 offsets `[start, end)` into the text, the NER model's score when it found it, and
 * its assertion (present, absent, possible, historical, family) when assertion detection set one.
 */
export const entitySchema: JsonSchema = {
  type: 'object',
  required: ['id', 'type', 'start', 'end', 'text'],
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    start: { type: 'integer' },
    end: { type: 'integer' },
    text: { type: 'string' },
    score: { type: 'number' },
    assertion: assertionValue,
  },
};

/** A directed relation between two entities of the record, by entity id, with its probability. */
export const relationSchema: JsonSchema = {
  type: 'object',
  required: ['head', 'tail', 'label'],
  properties: {
    head: { type: 'string' },
    tail: { type: 'string' },
    label: { type: 'string' },
    score: { type: 'number' },
  },
};

/** A canonical record `{id, text, entities, relations}`. */
export const recordSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'text', 'entities', 'relations'],
  properties: {
    id: { type: 'string' },
    text: { type: 'string' },
    entities: { type: 'array', items: entitySchema },
    relations: { type: 'array', items: relationSchema },
  },
};

/** A record with entities and relations as a request carries it (`POST /v1/graph/add`). */
export const recordInSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'text', 'entities', 'relations'],
  properties: {
    id: { type: 'string', minLength: 1 },
    text: { type: 'string' },
    entities: { type: 'array', items: entityInSchema },
    relations: { type: 'array', items: relationSchema },
  },
};

/** A score threshold in [0, 1]. */
export const scoreSchema: JsonSchema = { type: 'number', minimum: 0, maximum: 1 };

/** Counts per assertion value (`{"historical": 3, "present": 5}`): the mentions of an entity or the evidence of an edge. */
export const assertionCountsSchema: JsonSchema = {
  type: 'object',
  properties: Object.fromEntries(
    ['present', 'absent', 'possible', 'historical', 'family'].map((v) => [v, { type: 'integer' }]),
  ),
};

/** A node of the knowledge graph. */
export const graphEntitySchema: JsonSchema = {
  type: 'object',
  required: ['iri', 'type', 'name', 'mentions'],
  properties: {
    iri: { type: 'string' },
    type: { type: 'string' },
    name: { type: 'string' },
    mentions: { type: 'integer' },
    assertions: assertionCountsSchema,
  },
};

/** Which model produced a piece of evidence. */
export const modelStampSchema: JsonSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, version: { type: 'string' } },
};

const offsetsSchema: JsonSchema = {
  type: 'array',
  items: { type: 'integer' },
  minItems: 2,
  maxItems: 2,
};

/** One mention supporting an edge: record id, head and tail offsets in that record, score, model. */
export const evidenceSchema: JsonSchema = {
  type: 'object',
  required: ['recordId', 'head', 'tail'],
  properties: {
    recordId: { type: 'string' },
    head: offsetsSchema,
    tail: offsetsSchema,
    score: { type: 'number' },
    model: modelStampSchema,
    headAssertion: assertionValue,
    tailAssertion: assertionValue,
    assertion: assertionValue,
  },
};

/** An edge of the graph with its evidence. */
export const graphEdgeSchema: JsonSchema = {
  type: 'object',
  required: ['iri', 'head', 'label', 'tail', 'evidence'],
  properties: {
    iri: { type: 'string' },
    head: graphEntitySchema,
    label: { type: 'string' },
    tail: graphEntitySchema,
    evidence: { type: 'array', items: evidenceSchema },
    assertions: assertionCountsSchema,
  },
};
