/**
 * The system's colour scheme (prefers-color-scheme), live: switching the OS theme restyles
 * the page (CSS does that on its own) and re-themes the charts (which need to be told).
 */
import { readonly, ref } from 'vue';
import type { Ref } from 'vue';
import type { ColorScheme } from '../charts/options/palette';

let shared: Ref<ColorScheme> | null = null;

export function useColorScheme(): Readonly<Ref<ColorScheme>> {
  if (!shared) {
    const query = typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null;
    const scheme = ref<ColorScheme>(query?.matches ? 'dark' : 'light');
    // One listener for the app's lifetime, shared by every chart.
    query?.addEventListener('change', (e) => {
      scheme.value = e.matches ? 'dark' : 'light';
    });
    shared = scheme;
  }
  return readonly(shared);
}
