// The current view, kept in the URL's hash (`#models`) so each view has a link and
// the browser's back button works without a router package.

import { onBeforeUnmount, ref, type Ref } from 'vue';

export const VIEWS = ['overview', 'models', 'requests', 'logs', 'alerts'] as const;
export type ViewName = (typeof VIEWS)[number];

function viewFromHash(hash: string): ViewName {
  const name = hash.replace(/^#\/?/, '');
  return (VIEWS as readonly string[]).includes(name) ? (name as ViewName) : 'overview';
}

export function useHashRoute(): Ref<ViewName> {
  const view = ref<ViewName>(viewFromHash(window.location.hash));
  const follow = () => {
    view.value = viewFromHash(window.location.hash);
  };

  window.addEventListener('hashchange', follow);
  onBeforeUnmount(() => window.removeEventListener('hashchange', follow));

  return view;
}
