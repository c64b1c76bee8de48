/** Step 2: the tools the later steps need, checked before any slow step starts. */
import { fail } from './output.js';
import { run } from './process.js';

/** The Python that unpacks the wheel and runs node-gyp: $PYTHON, else python3, else python (3.6 or newer). */
export function findPython(): string {
  const candidates = [process.env.PYTHON, 'python3', 'python'].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    const result = run(candidate, ['-c', 'import sys, zipfile; print(sys.version_info >= (3, 6))']);
    if (result.ok && result.stdout.trim() === 'True') return candidate;
  }
  fail(
    'python3 not found (needed to unpack the wheel and by node-gyp); install python3 or set PYTHON=/path/to/python3',
  );
}

/** make and a C++ compiler ($CXX, c++, g++ or clang++), which node-gyp drives. */
export function checkBuildTools(): void {
  if (!run('make', ['--version']).ok) {
    fail(
      "'make' not found (node-gyp needs it to build the tfjs-node addon); on Debian/Ubuntu: apt-get install build-essential",
    );
  }
  const compilers = [process.env.CXX, 'c++', 'g++', 'clang++'].filter((c): c is string => Boolean(c));
  if (!compilers.some((cxx) => run(cxx.split(' ')[0], ['--version']).ok)) {
    fail(
      'no C++ compiler found (tried CXX, c++, g++, clang++; node-gyp needs one); on Debian/Ubuntu: apt-get install build-essential',
    );
  }
}
