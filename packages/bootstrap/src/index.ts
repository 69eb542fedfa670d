/** @emr-re/bootstrap */
export {};
