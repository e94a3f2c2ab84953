// The bench's child processes run compiled JavaScript, as the container image does, not TypeScript
// through tsx: tsx's loader runs module hooks on threads of their own, which added 11-36 MB to every
// process's RSS and took CPU on every lazy module load (docs/performance.md), and the consumer's
// memory is what the bench measures as deployed. Type-stripping each file with the project's own
// TypeScript takes well under a second; type errors are `npm run typecheck`'s job.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Everything the bench's processes import lives here; the output stays under the project root so that node_modules resolves. */
const SOURCES = ['bench', 'service'];

function typeScriptFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [file] : [];
  });
}

let built: string | undefined;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a bench killed before its exit handler ran left behind. */
function removeStale(parent: string): void {
  if (!fs.existsSync(parent)) return;
  for (const name of fs.readdirSync(parent)) {
    if (/^\d+$/.test(name) && !alive(Number(name))) fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

/**
 * Compiles bench/ and service/ into a directory of this process's own under .local/, once per process,
 * and returns it; the directory is removed when the process exits.
 */
export function compiledBench(): string {
  if (built) return built;
  const parent = path.join(ROOT, '.local', 'bench-build');
  removeStale(parent);
  const out = path.join(parent, String(process.pid));
  fs.rmSync(out, { recursive: true, force: true });
  for (const source of SOURCES.flatMap((dir) => typeScriptFiles(path.join(ROOT, dir)))) {
    const { outputText } = ts.transpileModule(fs.readFileSync(source, 'utf8'), {
      fileName: source,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, verbatimModuleSyntax: true },
    });
    const target = path.join(out, path.relative(ROOT, source)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, outputText);
  }
  process.once('exit', () => fs.rmSync(out, { recursive: true, force: true }));
  built = out;
  return out;
}
