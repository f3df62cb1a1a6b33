// Limits how often a view redraws: a counter that follows its source at most once per interval.

import { onBeforeUnmount, ref, watch, type Ref } from 'vue';

/**
 * Follows `source` but changes at most once per `intervalMs`: the first change shows at once,
 * and changes within the interval show together at its end.
 */
export function useThrottledVersion(source: Ref<number>, intervalMs = 1000): Ref<number> {
  const throttled = ref(source.value);
  let lastUpdate = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const update = () => {
    timer = undefined;
    lastUpdate = Date.now();
    throttled.value = source.value;
  };

  watch(source, () => {
    if (timer !== undefined) {
      return;
    }
    const wait = lastUpdate + intervalMs - Date.now();
    if (wait <= 0) {
      update();
    } else {
      timer = setTimeout(update, wait);
    }
  });

  onBeforeUnmount(() => {
    if (timer !== undefined) {
      clearTimeout(timer);
    }
  });

  return throttled;
}
