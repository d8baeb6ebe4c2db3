import * as z from 'zod/mini';
import { browser, type Browser } from 'wxt/browser';

/**
 * Messages from the extension's pages to its service worker. Each is validated with zod on arrival;
 * anything else, or anything from outside this extension's own pages, is ignored.
 */
export const ZMessage = z.discriminatedUnion('type', [
  /** The document changed in a page: recompute the badge (the page knows the count already). */
  z.object({ type: z.literal('document-changed'), dueCount: z.optional(z.number().check(z.int(), z.gte(0), z.lte(100000))) }),
  /** Reminder settings changed: re-create the alarms. */
  z.object({ type: z.literal('reminders-changed') }),
  /** Fetch the followed team feeds now. */
  z.object({ type: z.literal('refresh-feeds') }),
]);
export type CandorMessage = z.infer<typeof ZMessage>;

export type MessageSender = Pick<Browser.runtime.MessageSender, 'id' | 'url' | 'origin'>;

/** Only this extension's own pages: same extension id and a URL under the extension's origin. */
export function isTrustedSender(sender: MessageSender | undefined, runtime: { id: string; getURL(path: string): string } = browser.runtime as never): boolean {
  if (!sender || sender.id !== runtime.id) return false;
  const own = runtime.getURL('/');
  const url = sender.url ?? sender.origin;
  return typeof url === 'string' && (url === own.slice(0, -1) || url.startsWith(own));
}

/** Parses an incoming message; `null` for anything malformed. */
export function readMessage(input: unknown): CandorMessage | null {
  const parsed = z.safeParse(ZMessage, input);
  return parsed.success ? parsed.data : null;
}

/** Sends a message to the worker; a sleeping or missing worker is not an error for the page. */
export async function tellWorker(message: CandorMessage): Promise<void> {
  try {
    await browser.runtime.sendMessage(z.parse(ZMessage, message));
  } catch {
    // No receiver yet (worker starting): the worker recomputes on its own when it starts.
  }
}
