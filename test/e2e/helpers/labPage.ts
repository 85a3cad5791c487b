/**
 * Reading the lab's page the way a user reads it: node cards by their accessible names
 * ("Node 3") and their visible text, the election panel's status line and list. Nothing
 * here reaches into Vue or the stores, so a test that passes means the words were on screen.
 */
import type { Page } from 'playwright-core';

/** What one node card says. Fields the card does not show (yet) are null. */
export interface CardView {
  id: number;
  /** follower, candidate or leader; for a dead process, its last known role. */
  role: string | null;
  /** The card marks the role as "(last known)": the process is not alive. */
  lastKnown: boolean;
  term: number | null;
  /** The ★ mark with the hidden text "current leader". */
  leaderMark: boolean;
  commit: number | null;
  applied: number | null;
  lastIndex: number | null;
  /** running, starting, paused, killed, stopped, crashed or exited. */
  process: string | null;
}

const ROLE_LINE = /^(follower|candidate|leader)( \(last known\))?$/;

function numberAfter(text: string, label: string): number | null {
  const m = new RegExp(`(?:^|\\n)\\s*${label}\\s+(\\d+)`).exec(text);
  return m ? Number(m[1]) : null;
}

/** Parses one card from its accessible name and rendered text (innerText). */
export function parseCard(name: string, innerText: string, textContent: string): CardView {
  const id = /^Node (\d+)$/.exec(name.trim());
  if (!id) throw new Error(`not a node card name: ${JSON.stringify(name)}`);
  const lines = innerText.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const roleLine = lines.map((l) => ROLE_LINE.exec(l)).find((m) => m !== null);
  const term = /(?:^|\n)\s*term (\d+)/.exec(innerText);
  const proc = /process:\s*(\w+)/.exec(innerText);
  return {
    id: Number(id[1]),
    role: roleLine ? roleLine[1] : null,
    lastKnown: roleLine ? roleLine[2] !== undefined : false,
    term: term ? Number(term[1]) : null,
    leaderMark: textContent.includes('current leader'),
    commit: numberAfter(innerText, 'commit'),
    applied: numberAfter(innerText, 'applied'),
    lastIndex: numberAfter(innerText, 'last index'),
    process: proc ? proc[1] : null,
  };
}

/** Every node card on the page, read in one go (one consistent rendering). */
export async function readCards(page: Page): Promise<CardView[]> {
  const raw = await page.getByRole('article', { name: /^Node \d+$/ }).evaluateAll((els) =>
    els.map((el) => ({
      name: el.getAttribute('aria-label') ?? '',
      // innerText (not textContent): the text as laid out, one line per block, as a user reads it.
      innerText: (el as unknown as { innerText: string }).innerText,
      textContent: el.textContent ?? '',
    })),
  );
  return raw.map((r) => parseCard(r.name, r.innerText, r.textContent)).sort((a, b) => a.id - b.id);
}

/** A card that shows a live leader: role leader, process running. */
export function isLiveLeader(c: CardView): boolean {
  return c.role === 'leader' && !c.lastKnown && c.process === 'running';
}

/** One line per card, for timeout messages. */
export function describeCards(cards: CardView[]): string {
  if (cards.length === 0) return '(no node cards)';
  return cards
    .map((c) => `node ${c.id}: ${c.role ?? '?'}${c.lastKnown ? ' (last known)' : ''}${c.leaderMark ? ' ★' : ''} term ${c.term ?? '?'} commit ${c.commit ?? '?'} process ${c.process ?? '?'}`)
    .join('; ');
}

/** The election panel: "N elections, p50 …" and the "Recent election times" list. */
export interface ElectionView {
  count: number | null;
  countText: string;
  recent: string[];
}

export async function readElections(page: Page): Promise<ElectionView> {
  const status = page.getByRole('status').filter({ hasText: /^\s*\d+ elections?\b/ });
  const countText = (await status.count()) > 0 ? ((await status.first().textContent()) ?? '').trim() : '';
  const m = /^(\d+) elections?/.exec(countText);
  const list = page.getByRole('list', { name: 'Recent election times' });
  const recent = (await list.count()) > 0 ? (await list.getByRole('listitem').allTextContents()).map((t) => t.trim()) : [];
  return { count: m ? Number(m[1]) : null, countText, recent };
}

/** The header's "cluster <phase>" status. */
export async function readPhase(page: Page): Promise<string | null> {
  const text = await page.locator('header').getByRole('status').filter({ hasText: /^cluster / }).first().textContent();
  return text ? text.trim().replace(/^cluster /, '') : null;
}

/** The alert banner's text, if an action failed. */
export async function readAlert(page: Page): Promise<string | null> {
  const alert = page.getByRole('alert');
  if ((await alert.count()) === 0) return null;
  return (await alert.allTextContents()).map((t) => t.trim()).join(' | ');
}

/**
 * The links the network graph draws as blocked, from each link's tooltip
 * ("Node 2 ↔ Node 5: blocked, 0 msg/s").
 */
export async function readBlockedLinks(page: Page): Promise<Array<[number, number]>> {
  const titles = await page.getByRole('img', { name: /^Network of \d+ nodes/ }).locator('line > title').allTextContents();
  const blocked: Array<[number, number]> = [];
  for (const t of titles) {
    const m = /^Node (\d+) ↔ Node (\d+): blocked/.exec(t.trim());
    if (m) blocked.push([Number(m[1]), Number(m[2])]);
  }
  return blocked;
}

/** The node every blocked link touches, when the blocked links cut exactly that node off from the others. */
export function isolatedNode(blocked: Array<[number, number]>, nodeIds: number[]): number | null {
  for (const id of nodeIds) {
    const cut = new Set(blocked.filter(([a, b]) => a === id || b === id).map(([a, b]) => (a === id ? b : a)));
    if (cut.size === nodeIds.length - 1 && blocked.length === nodeIds.length - 1) return id;
  }
  return null;
}
