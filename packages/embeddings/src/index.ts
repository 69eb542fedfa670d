/** @emr-re/embeddings */
export {};
