// Finds the programs the tests drive or compare Tessera with (Chromium, age, NetworkX with SciPy, and
// a font for Chromium's screenshots). Benchmarks need more (Graphviz, igraph) and check for it
// themselves; nothing uses minisign, Xvfb or poppler. Used first by `npm test` and by `.ci/run`, so the
// README's two commands are the whole set-up on a fresh Debian machine:
//   - everything present: prints one line and exits 0;
//   - something missing, running as root with apt-get: installs the missing Debian packages;
//   - otherwise: stops before any test, naming the one command that installs them.
// Tests never skip a comparison because a tool is missing (a skipped comparison proves nothing).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = '/usr/bin/python3';

const succeeds = (command, args) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
const onPath = (name) => succeeds('sh', ['-c', `command -v ${name}`]);
const pythonImports = (modules) => succeeds(PYTHON, ['-c', `import ${modules}`]);

/** Debian package → how to tell it is there. */
const TOOLS = [
  ['chromium', () => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')],
  // Bundle interoperability: our bundles open with `age -d`, and age's files open with ours.
  ['age', () => onPath('age')],
  // Analysis correctness: centralities and communities against NetworkX (which needs SciPy).
  ['python3-networkx', () => pythonImports('networkx')],
  ['python3-scipy', () => pythonImports('scipy')],
  // Reports: the tests read the PDFs with pdftotext/pdftoppm and the DOCX/XLSX parts with unzip.
  ['poppler-utils', () => onPath('pdftotext') && onPath('pdftoppm')],
  ['unzip', () => onPath('unzip')],
  // Headless Chromium draws text in the e2e screenshots with it.
  ['fonts-dejavu-core', () => existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf')],
];

const missing = () => TOOLS.filter(([, present]) => !present()).map(([name]) => name);

let absent = missing();
if (absent.length === 0) {
  console.log('[tessera] test tools: all present');
  process.exit(0);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const command = `apt-get install -y --no-install-recommends ${absent.join(' ')}`;
if (isRoot && onPath('apt-get')) {
  console.log(`[tessera] test tools missing: ${absent.join(', ')}; installing them`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
  if (!run(['update']) || !run(['install', '-y', '--no-install-recommends', ...absent])) {
    console.error(`[tessera] apt-get failed; run it by hand: ${command}`);
    process.exit(1);
  }
  absent = missing();
  if (absent.length === 0) process.exit(0);
  console.error(`[tessera] still missing after apt-get: ${absent.join(', ')}`);
  process.exit(1);
}
console.error(
  `[tessera] the tests need ${absent.join(', ')}. Install them, then run npm test again:\n` +
    `  sudo ${command}`,
);
process.exit(1);
