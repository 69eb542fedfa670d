#!/usr/bin/env node
/*
 * Assembles src/simd/kernel.wat (WebAssembly text, SIMD + shared memory) with wabt and writes the binary,
 * base64-encoded, to src/simd/kernel-wasm.ts, so that the package needs no assembler at build or run time.
 * Run after editing the .wat:  node packages/embeddings/scripts/build-simd-kernel.js
 * src/simd/kernel-wasm.test.ts re-assembles the .wat and fails if the committed bytes differ.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Buffer } = require('node:buffer');

const WAT = path.join(__dirname, '..', 'src', 'simd', 'kernel.wat');
const OUT = path.join(__dirname, '..', 'src', 'simd', 'kernel-wasm.ts');

/** The kernel's WebAssembly binary, assembled from `kernel.wat`. */
async function assembleKernel(watPath = WAT) {
  const wabt = await require('wabt')();
  const features = { simd: true, threads: true, multi_value: true, bulk_memory: true, sat_float_to_int: true };
  const module = wabt.parseWat(path.basename(watPath), fs.readFileSync(watPath, 'utf8'), features);
  try {
    module.validate(features);
    return Buffer.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** The TypeScript module that carries `bytes`. */
function renderModule(bytes) {
  return `/*
 * GENERATED from kernel.wat by scripts/build-simd-kernel.js; do not edit. To regenerate after editing
 * kernel.wat, run \`node packages/embeddings/scripts/build-simd-kernel.js\` (needs the wabt devDependency).
 * kernel-wasm.test.ts fails when these bytes and kernel.wat drift apart.
 */

/** The SIMD word2vec kernel (kernel.wat) as a WebAssembly binary, base64 (${bytes.length} bytes). */
export const KERNEL_WASM_BASE64 =
  '${bytes.toString('base64')}';
`;
}

module.exports = { assembleKernel, renderModule };

if (require.main === module) {
  assembleKernel()
    .then((bytes) => {
      const tmp = `${OUT}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, renderModule(bytes));
      fs.renameSync(tmp, OUT);
      process.stdout.write(`${path.relative(process.cwd(), OUT)}: ${bytes.length} bytes\n`);
    })
    .catch((err) => {
      process.stderr.write(`build-simd-kernel: ${err && err.message ? err.message : err}\n`);
      process.exitCode = 1;
    });
}
