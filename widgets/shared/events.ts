import type { CandorDocument, CheckIn } from '../../core/model/index.ts';

/** What went wrong loading a `src`: `timeout`, `network`, `http` (status not 2xx), `too-large`, `json`, `version` (a newer format), `format` (not a valid Candor document). */
export type LoadErrorKind = 'timeout' | 'network' | 'http' | 'too-large' | 'json' | 'version' | 'format';

/** `candor-load`: a widget's `src` produced a valid document. */
export interface CandorLoadDetail {
  src: string;
  document: CandorDocument;
}
/** `candor-error`: a widget's `src` could not be loaded; the widget shows `message`. */
export interface CandorErrorDetail {
  src: string;
  kind: LoadErrorKind;
  message: string;
  status?: number;
}
/** `candor-select`: the user picked a record (an objective, key result, team, person or check-in). */
export interface CandorSelectDetail {
  kind: 'company' | 'team' | 'person' | 'objective' | 'keyResult' | 'checkIn';
  id: string;
}
/** `candor-kudos`: the user gave kudos for a check-in to its author. The host stores it. */
export interface CandorKudosDetail {
  target: { kind: 'checkIn'; id: string };
  toIds: string[];
}
/** `candor-checkin`: the check-in form produced a check-in validated by the core schema. The host stores it. */
export interface CandorCheckInDetail {
  checkIn: CheckIn;
}
/** `candor-toggle`: a node of the alignment tree was expanded or collapsed. */
export interface CandorToggleDetail {
  id: string;
  expanded: boolean;
}

declare global {
  interface HTMLElementEventMap {
    'candor-load': CustomEvent<CandorLoadDetail>;
    'candor-error': CustomEvent<CandorErrorDetail>;
    'candor-select': CustomEvent<CandorSelectDetail>;
    'candor-kudos': CustomEvent<CandorKudosDetail>;
    'candor-checkin': CustomEvent<CandorCheckInDetail>;
    'candor-toggle': CustomEvent<CandorToggleDetail>;
  }
}
