/**
 * @emr-re/queue: extraction at hospital scale — a pool of worker threads on one machine, and chunks of a job on a
 * BullMQ queue in Redis worked by any number of machines.
 */
export {};
