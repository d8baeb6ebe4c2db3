/**
 * Limits on what a WebSocket may send: the size of an update. Runs first in `beforeHandleMessage`,
 * so nothing else reads an update this server will not take.
 */
import type { beforeHandleMessagePayload, Extension } from '@hocuspocus/server';
import type { ServerConfig } from '../config.ts';

/** An error Hocuspocus turns into closing that space's connection with this code and reason. */
export const closeError = (code: number, reason: string) => Object.assign(new Error(reason), { code, reason });

export class LimitsExtension implements Extension {
  readonly extensionName = 'candor-limits';

  constructor(private readonly limits: ServerConfig['limits']) {}

  async beforeHandleMessage({ update, documentName }: beforeHandleMessagePayload): Promise<void> {
    const max = this.limits.maxUpdateBytes;
    if (update.byteLength > max) {
      throw closeError(4413, `update-too-large: an update to "${documentName}" of ${update.byteLength} bytes is over this server's limit of ${max} bytes; it was not stored`);
    }
  }
}
