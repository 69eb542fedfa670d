import { main } from './cli';
import { installInterruptHandlers } from './interrupt';
import { processIO } from './io';

installInterruptHandlers((line) => process.stderr.write(line));

main(process.argv.slice(2), processIO()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `emr-re: internal error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
