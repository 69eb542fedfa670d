/**
 * @emr-re/server: `emr-re serve` as a library — an HTTP service (extraction, the knowledge graph, OpenAPI) and a web
 * page that shows the entities and relations found in a text.
 */
export {};
