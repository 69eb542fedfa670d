// Build step: the page (public/) and cytoscape's browser build go into dist/public, so the package serves its page
// offline from its own files.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'dist', 'public');
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'vendor'), { recursive: true });
for (const name of fs.readdirSync(path.join(root, 'public')))
  fs.copyFileSync(path.join(root, 'public', name), path.join(out, name));
fs.copyFileSync(require.resolve('cytoscape/dist/cytoscape.min.js'), path.join(out, 'vendor', 'cytoscape.min.js'));
