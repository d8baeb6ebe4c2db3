import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { CandorDocument } from '../../core/model/index.ts';
import { emit } from './emit.ts';
import { CandorLoadError, loadDocument, onDocument, watchLive, DEFAULT_TIMEOUT_MS } from './loader.ts';
import { WIDGETS_VERSION } from './define.ts';
import type { CandorErrorDetail } from './events.ts';
import { base } from './theme.ts';

/**
 * What every Candor widget shares: its data (a `.document` property or a `src` URL), what to show
 * (`objective-id`, `key-result-id`, `team-id`, `person-id`), `locale` and `theme`.
 *
 * @event candor-load - `src` produced a valid document. detail: `{ src, document }`
 * @event candor-error - `src` could not be loaded; the widget shows why. detail: `{ src, kind, message, status? }`
 * @csspart state - The loading, empty or error message.
 * @cssprop --candor-surface - Background of cards.
 * @cssprop --candor-text - Text colour.
 * @cssprop --candor-muted - Secondary text colour.
 * @cssprop --candor-border - Border colour.
 * @cssprop --candor-accent - Links, focus rings and buttons.
 * @cssprop --candor-track - Unfilled part of progress bars.
 * @cssprop --candor-on-track - Colour of "on track".
 * @cssprop --candor-at-risk - Colour of "at risk".
 * @cssprop --candor-off-track - Colour of "off track".
 * @cssprop --candor-stale - Colour of "no recent check-in".
 * @cssprop --candor-done - Colour of "done".
 * @cssprop --candor-radius - Corner radius (px).
 * @cssprop --candor-font - Font family.
 * @cssprop --candor-font-size - Base font size in px (default 14px; independent of the page's rem).
 */
export class CandorElement extends LitElement {
  static version = WIDGETS_VERSION;
  static override styles = [base];

  static override properties = {
    document: { attribute: false },
    src: { type: String, reflect: true },
    refresh: { type: Number, reflect: true },
    live: { type: Boolean, reflect: true },
    timeout: { type: Number },
    locale: { type: String, reflect: true },
    theme: { type: String, reflect: true },
    objectiveId: { type: String, attribute: 'objective-id', reflect: true },
    keyResultId: { type: String, attribute: 'key-result-id', reflect: true },
    teamId: { type: String, attribute: 'team-id', reflect: true },
    personId: { type: String, attribute: 'person-id', reflect: true },
    _loaded: { state: true },
    _error: { state: true },
    _loading: { state: true },
  };

  /** The Candor document to show. Takes precedence over `src`. */
  declare document: CandorDocument | undefined;
  /** URL of a Candor document (JSON). Fetched once per page and shared by every widget with the same URL. */
  declare src: string | undefined;
  /** Refetch `src` every this many seconds (0: never). Widgets on one URL share each refetch. */
  declare refresh: number;
  /** Follow the server's change stream (`/v1/events` beside `/v1/document`) and refetch on each change. */
  declare live: boolean;
  /** Give up loading `src` after this many milliseconds. */
  declare timeout: number;
  /** BCP 47 locale for numbers and dates (default: the browser's). */
  declare locale: string | undefined;
  /** `light` or `dark`; unset follows `prefers-color-scheme`. */
  declare theme: 'light' | 'dark' | undefined;
  /** Which objective to show. */
  declare objectiveId: string | undefined;
  /** Which key result to show. */
  declare keyResultId: string | undefined;
  /** Which team to show (or whose check-ins). */
  declare teamId: string | undefined;
  /** Which person to show (or whose check-ins; the check-in form's author). */
  declare personId: string | undefined;

  declare protected _loaded: CandorDocument | undefined;
  declare protected _error: CandorErrorDetail | undefined;
  declare protected _loading: boolean;
  private _token = 0;
  private _teardown: (() => void)[] = [];
  private _followed: string | undefined;
  private _loadedFrom: string | undefined;

  constructor() {
    super();
    this.refresh = 0;
    this.live = false;
    this.timeout = DEFAULT_TIMEOUT_MS;
    this._loading = false;
  }

  /** The document shown: the `document` property, else the one loaded from `src`. */
  get data(): CandorDocument | undefined {
    return this.document ?? this._loaded;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._follow();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._stop();
    this._followed = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('src') || changed.has('refresh') || changed.has('live') || changed.has('timeout')) && this.isConnected) this._follow();
  }

  private _stop() {
    for (const f of this._teardown) f();
    this._teardown = [];
  }

  private _follow() {
    const key = `${this.src}|${this.refresh}|${this.live}|${this.timeout}`;
    if (key === this._followed) return;
    this._followed = key;
    this._stop();
    const token = ++this._token;
    const src = this.src;
    this._error = undefined;
    if (this._loadedFrom !== src) this._loaded = undefined;
    if (!src) {
      this._loading = false;
      return;
    }
    this._loading = true;
    const options = { timeoutMs: this.timeout > 0 ? this.timeout : DEFAULT_TIMEOUT_MS };
    const accept = (doc: CandorDocument) => {
      if (token !== this._token) return; // an answer for an old src
      if (doc === this._loaded && this._loadedFrom === src && !this._loading && !this._error) return; // nothing new (a poll, or the listener and the promise both delivering it)
      this._loaded = doc;
      this._loadedFrom = src;
      this._loading = false;
      this._error = undefined;
      emit(this, 'candor-load', { src, document: doc });
    };
    const fail = (e: unknown) => {
      if (token !== this._token) return;
      const err = e instanceof CandorLoadError ? e : new CandorLoadError('network', String((e as Error)?.message ?? e));
      this._loading = false;
      this._error = { src, kind: err.kind, message: err.message, ...(err.status ? { status: err.status } : {}) };
      emit(this, 'candor-error', this._error);
    };
    this._teardown.push(onDocument(src, accept));
    loadDocument(src, options).then(accept, fail);
    if (this.refresh > 0) {
      const every = Math.max(1, this.refresh) * 1000;
      const timer = setInterval(() => loadDocument(src, { ...options, maxAgeMs: every - 250 }).then(accept, fail), every);
      this._teardown.push(() => clearInterval(timer));
    }
    if (this.live) this._teardown.push(watchLive(src, options));
  }

  protected override render(): unknown {
    const doc = this.data;
    if (!doc && this._error) {
      const why = this._error.message.replace(/\.$/, '');
      return html`<div class="state error" part="state" role="status">
        <strong>Couldn’t load OKRs.</strong> ${why.charAt(0).toUpperCase() + why.slice(1)}.
      </div>`;
    }
    if (!doc && this._loading) return html`<div class="state" part="state" role="status">Loading OKRs…</div>`;
    return this.renderBody(doc);
  }

  /** What the widget shows for a document (or none). */
  protected renderBody(_doc: CandorDocument | undefined): TemplateResult | typeof nothing {
    return nothing;
  }

  /** A visible, polite message in place of content. */
  protected message(text: string): TemplateResult {
    return html`<div class="state" part="state" role="status">${text}</div>`;
  }
}

