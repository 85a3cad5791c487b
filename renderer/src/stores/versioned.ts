import { computed } from 'vue';
import type { ComputedRef, Ref } from 'vue';

/**
 * A computed over a non-reactive model that recomputes when `version` changes, i.e. once
 * per ingested batch, however many values inside the model changed.
 */
export function versioned<T>(version: Ref<number>, read: () => T): ComputedRef<T> {
  return computed(() => {
    void version.value;
    return read();
  });
}
