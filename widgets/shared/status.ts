import { html, type TemplateResult } from 'lit';
import { STATUS_LABEL } from './format.ts';

/** A status as a dot and words (colour is never the only signal). */
export const statusPill = (status: string): TemplateResult =>
  html`<span class="status ${status}" part="status"><span class="dot" aria-hidden="true"></span>${STATUS_LABEL[status] ?? status}</span>`;
