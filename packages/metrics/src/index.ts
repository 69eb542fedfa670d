/** @emr-re/metrics */
export {};
