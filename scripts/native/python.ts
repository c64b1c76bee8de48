/**
 * The wheel's contents, read and unpacked by Python: zipfile streams the 788 MB library
 * member without holding it in memory, and Python is needed anyway (node-gyp runs on it).
 */
import { fail } from './output.js';
import { gist, run } from './process.js';

/**
 * `inspect`: member sizes and the wheel's version. `extract`: the libraries, symlinks and
 * headers into a fresh directory. Headers: the #include closure of the binding's own
 * includes (14 files, ~150 kB for TF 2.21), or with `full` the whole tensorflow/, tsl/ and
 * xla/ trees (~100 MB).
 */
const PY_HELPER = String.raw`
import json, os, re, shutil, sys, zipfile
req = json.loads(sys.argv[1])
LIBS = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2']
INC = 'tensorflow/include/'
try:
    z = zipfile.ZipFile(req['wheel'])
except (OSError, zipfile.BadZipFile) as e:
    print(json.dumps({'error': 'not a readable wheel (zip): %s' % e})); sys.exit(0)
info = {i.filename: i for i in z.infolist()}
missing = [m for m in LIBS if m not in info]
if missing:
    print(json.dumps({'error': 'the wheel has no ' + ', '.join(missing)})); sys.exit(0)
def headers(full):
    if full:
        return [n[len(INC):] for n in info if n.startswith(tuple(INC + d + '/' for d in ('tensorflow', 'tsl', 'xla'))) and not n.endswith('/')]
    rx = re.compile(rb'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
    seen, stack = set(), list(req.get('roots', []))
    while stack:
        h = os.path.normpath(stack.pop())
        if h in seen or INC + h not in info:
            continue
        seen.add(h)
        for inc in rx.findall(z.read(INC + h)):
            inc = inc.decode()
            local = os.path.normpath(os.path.join(os.path.dirname(h), inc))
            stack.append(local if INC + local in info else inc)
    return sorted(seen)
if req['mode'] == 'inspect':
    version = None
    for n in info:
        if n.endswith('.dist-info/METADATA'):
            for line in z.read(n).decode('utf-8', 'replace').splitlines():
                if line.startswith('Version:'):
                    version = line.split(':', 1)[1].strip(); break
    hs = headers(False)
    need = sum(info[m].file_size for m in LIBS) + sum(info[INC + h].file_size for h in hs)
    print(json.dumps({'version': version, 'bytes': need, 'headers': len(hs)})); sys.exit(0)
dest = req['dest']
lib = os.path.join(dest, 'lib'); os.makedirs(lib, exist_ok=True)
total = 0
def put(member, target):
    global total
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with z.open(info[member]) as src, open(target, 'wb') as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    total += info[member].file_size
if req.get('libs', True):
    for m in LIBS:
        put(m, os.path.join(lib, os.path.basename(m)))
    for name, target in req['links'].items():
        os.symlink(target, os.path.join(lib, name))
hs = headers(req.get('full', False))
for h in hs:
    put(INC + h, os.path.join(dest, 'include', h))
print(json.dumps({'bytes': total, 'headers': len(hs), 'libs': {os.path.basename(m): info[m].file_size for m in LIBS}}))
`;

/** What the wheel holds of what is needed. `bytes`: the libraries and the header closure together. */
export type WheelContents = { version: string | null; bytes: number; headers: number };

export type Extracted = { bytes: number; headers: number; libs: Record<string, number> };

export type ExtractRequest = {
  wheel: string;
  dest: string;
  /** The binding's #include lines the header closure starts from (unused with `full`). */
  roots?: string[];
  /** Symlink name to target, made in dest/lib. */
  links: Record<string, string>;
  /** false: headers only (the libraries are already there). */
  libs?: boolean;
  full?: boolean;
};

type Request = ({ mode: 'inspect' } & Pick<ExtractRequest, 'wheel' | 'roots'>) | ({ mode: 'extract' } & ExtractRequest);

function python<T>(python: string, request: Request): T {
  const result = run(python, ['-c', PY_HELPER, JSON.stringify(request)]);
  if (!result.ok) {
    const last = gist(result.stderr, /(?!)/); // a traceback's last line names the error
    fail(`python failed while ${request.mode === 'extract' ? 'unpacking' : 'reading'} the wheel: ${last}`);
  }
  const out = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as T & { error?: string };
  if (out.error) fail(`${request.wheel}: ${out.error}`);
  return out;
}

export function inspectWheel(pythonCmd: string, wheel: string, roots: string[]): WheelContents {
  return python<WheelContents>(pythonCmd, { mode: 'inspect', wheel, roots });
}

export function extractWheel(pythonCmd: string, request: ExtractRequest): Extracted {
  return python<Extracted>(pythonCmd, { mode: 'extract', ...request });
}
