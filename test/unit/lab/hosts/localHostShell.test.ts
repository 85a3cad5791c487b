/** The local HostShell (src/lab/hosts/localHostShell.ts): real processes, no shell in between. */
import { describe, expect, it } from 'vitest';
import { LocalHostShell } from '../../../../src/lab/hosts/localHostShell';
import { HostShellError } from '../../../../src/lab/hosts/hostShell';

describe('LocalHostShell', () => {
  it('runs argv without a shell, passes stdin and reports the exit code', async () => {
    const shell = new LocalHostShell();
    const r = await shell.run(['node', '-e', 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{process.stdout.write(s.toUpperCase());process.stderr.write("e");process.exit(3)})'], { input: 'secret $(x)' });
    expect(r).toEqual({ code: 3, stdout: 'SECRET $(X)', stderr: 'e' });
    await shell.close();
  });

  it('reports a signal death as 128 + n, like a shell', async () => {
    const r = await new LocalHostShell().run(['node', '-e', 'process.kill(process.pid, "SIGKILL")']);
    expect(r.code).toBe(137);
  });

  it('names the host and step when the command cannot start or times out', async () => {
    const shell = new LocalHostShell();
    await expect(shell.run(['/nonexistent/raftlab-tool'])).rejects.toThrow(/^localhost: run `\/nonexistent\/raftlab-tool`: .*ENOENT/);
    const err = await shell.run(['node', '-e', 'setTimeout(() => {}, 10000)'], { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostShellError);
    expect((err as Error).message).toMatch(/timed out after 300 ms/);
  });

  it('close() ends what spawn() started', async () => {
    const shell = new LocalHostShell();
    const child = shell.spawn(['node', '-e', 'setInterval(() => {}, 1000)']);
    const closed = new Promise((resolve) => child.once('close', (_code, signal) => resolve(signal)));
    await shell.close();
    expect(await closed).toBe('SIGKILL');
  });
});
