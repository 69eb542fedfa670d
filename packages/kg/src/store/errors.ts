import { EmrReError } from '@emr-re/tokenize';

/** A store directory that is missing, not an emr-re store, or of an unknown version: the user's to fix. */
export class GraphStoreError extends EmrReError {
  constructor(message: string) {
    super('KG_STORE', message);
  }
}

/** A SPARQL text that does not parse, or an update where only a query is allowed. */
export class SparqlError extends EmrReError {
  constructor(message: string) {
    super('SPARQL', message);
  }
}

/** A SPARQL endpoint that refused a push, or could not be reached after the retries. */
export class SparqlEndpointError extends EmrReError {
  /** The HTTP status of the last answer, when there was one. */
  readonly status?: number;
  constructor(message: string, status?: number) {
    super('SPARQL_ENDPOINT', message);
    this.status = status;
  }
}
