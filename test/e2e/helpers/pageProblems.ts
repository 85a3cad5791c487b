/**
 * Collects what went wrong inside the page: uncaught exceptions and console errors (a CSP
 * violation or a failed WebSocket shows up only there). Tests assert the list is empty at the end.
 */
import type { Page } from 'playwright-core';

export function collectPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error: ${msg.text()} (at ${msg.location().url || 'unknown location'})`);
  });
  page.on('crash', () => problems.push('the page crashed'));
  return problems;
}
