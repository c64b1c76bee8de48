/**
 * `lstm web` as a real process: started on a free port, its URL read from stdout, stopped
 * with SIGINT. Shared by the server's HTTP tests and the browser tests.
 */
import { spawn } from 'node:child_process';
import { binPath, cliEnv, repoRoot } from './cli.js';

export type WebServer = { url: string; stderr: () => string; stop: () => Promise<number | null> };

export function startWeb(args: string[] = []): Promise<WebServer> {
  const child = spawn(process.execPath, [binPath, 'web', '--port', '0', ...args], {
    cwd: repoRoot,
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lstm web printed no URL within 30 s; stderr: ${stderr}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const line = /^(http:\/\/\S+)\n/.exec(stdout);
      if (!line) return;
      clearTimeout(timer);
      resolve({
        url: line[1],
        stderr: () => stderr,
        stop: async () => {
          child.kill('SIGINT');
          return exited;
        },
      });
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`lstm web exited (${code}) before printing a URL: ${stderr}`));
    });
  });
}
