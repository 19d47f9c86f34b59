import type { Container } from '../container';

/** Loads the demo commune (content/demo) on the first start of an empty database. */
export async function loadDemoIfEmpty(_c: Container): Promise<boolean> {
  return false;
}
