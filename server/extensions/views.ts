/**
 * Views: tells the organisation's views (`OrgViews`) which space changed, so `/v1/document` renders
 * afresh and `/v1/events` announces the change; and answers the HTTP API on the WebSocket's port.
 */
import type { Extension, onChangePayload, onRequestPayload } from '@hocuspocus/server';
import type { HttpApi } from '../http.ts';
import type { OrgViews } from '../views.ts';

export class ViewsExtension implements Extension {
  readonly extensionName = 'candor-views';

  constructor(
    private readonly views: OrgViews,
    private readonly http: HttpApi,
  ) {}

  async onChange({ documentName }: onChangePayload): Promise<void> {
    this.views.changed(documentName);
  }

  async onRequest({ request, response }: onRequestPayload): Promise<void> {
    if (this.http.handle(request, response)) throw null; // answered: stop Hocuspocus' default reply
  }
}
