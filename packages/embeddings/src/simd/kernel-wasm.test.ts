import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KERNEL_WASM_BASE64 } from './kernel-wasm';

// The script that generates kernel-wasm.ts; re-assembling kernel.wat must give the committed bytes.
const { assembleKernel, renderModule } = require('../../scripts/build-simd-kernel.js') as {
  assembleKernel(watPath?: string): Promise<Buffer>;
  renderModule(bytes: Buffer): string;
};

describe('kernel-wasm.ts', () => {
  it('holds exactly the bytes that kernel.wat assembles to', async () => {
    const bytes = await assembleKernel();
    const committed = Buffer.from(KERNEL_WASM_BASE64, 'base64');
    expect(committed.length).toBe(bytes.length);
    expect(committed.equals(bytes)).toBe(true);
    // and the file is what the script writes (header included), so regenerating it changes nothing
    expect(readFileSync(join(__dirname, 'kernel-wasm.ts'), 'utf8')).toBe(renderModule(bytes));
  });

  it('is a WebAssembly module with the two training entry points', () => {
    const bytes = Buffer.from(KERNEL_WASM_BASE64, 'base64');
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d])); // "\0asm"
    const wasm = (globalThis as unknown as { WebAssembly: { Module: any } }).WebAssembly;
    const module = new wasm.Module(bytes);
    expect(wasm.Module.exports(module).map((e: { name: string }) => e.name)).toEqual(['skipgram', 'cbow']);
    expect(wasm.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  });
});
