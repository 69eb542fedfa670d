/** @emr-re/resgru-att */
export {};
