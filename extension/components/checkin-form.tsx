import { useRef, useState, useLayoutEffect } from 'preact/hooks';
import type { KeyResult } from '../../core/model/index.ts';
import type { KeyResultVerdict } from '../../core/scoring/index.ts';
import { t } from '../lib/i18n.ts';
import { describeTarget, formatValue } from '../lib/format.ts';

/** What a check-in form hands to the app: one of value / milestonesDone / done, plus confidence and a note. */
export interface CheckInDraft {
  keyResultId: string;
  value?: number;
  milestonesDone?: string[];
  done?: boolean;
  confidence: number;
  note?: string;
}

export interface CheckInFormProps {
  keyResult: KeyResult;
  verdict?: KeyResultVerdict;
  /** Latest milestones done (pre-ticked). */
  milestonesDone?: readonly string[];
  onSave(draft: CheckInDraft): Promise<void>;
  onCancel?(): void;
  autoFocus?: boolean;
  /** Compact layout for the new tab. */
  compact?: boolean;
}

/** A quick check-in: the new value (or milestones / done), confidence 0–10 and a note. Enter saves. */
export function CheckInForm({ keyResult, verdict, milestonesDone, onSave, onCancel, autoFocus, compact }: CheckInFormProps) {
  const m = keyResult.metric;
  const numeric = m.kind === 'increase' || m.kind === 'decrease' || m.kind === 'maintain-above' || m.kind === 'maintain-below';
  const [value, setValue] = useState(numeric && verdict?.current !== undefined ? String(verdict.current) : '');
  const [done, setDone] = useState<Set<string>>(new Set(milestonesDone ?? []));
  const [isDone, setIsDone] = useState(verdict?.current === 1);
  const [confidence, setConfidence] = useState(Math.round((verdict?.confidence ?? 0.7) * 10));
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  const id = `ci-${keyResult.id}`;

  // Focus as soon as the form is in the DOM (a layout effect runs before the browser paints).
  useLayoutEffect(() => {
    if (autoFocus && first.current) {
      first.current.focus();
      performance.mark('candor:checkin-input-focused');
    }
  }, [autoFocus]);

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    const draft: CheckInDraft = { keyResultId: keyResult.id, confidence: confidence / 10 };
    if (numeric) {
      const parsed = Number(value.replace(',', '.'));
      if (value.trim() === '' || !Number.isFinite(parsed)) {
        setError(t('errorNumberNeeded'));
        first.current?.focus();
        return;
      }
      draft.value = parsed;
    } else if (m.kind === 'milestones') {
      draft.milestonesDone = m.items.filter((i) => done.has(i.id)).map((i) => i.id);
    } else {
      draft.done = isDone;
    }
    if (note.trim()) draft.note = note.trim();
    setError('');
    setBusy(true);
    performance.mark('candor:checkin-submit');
    try {
      await onSave(draft);
      setNote('');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class={compact ? 'checkin-form compact' : 'checkin-form'} onSubmit={submit} aria-label={t('checkInFor', keyResult.title)} data-kr={keyResult.id}>
      {numeric ? (
        <div class="field">
          <label for={`${id}-value`}>
            {t('newValue')} <span class="muted">({describeTarget(keyResult)})</span>
          </label>
          <input
            id={`${id}-value`}
            ref={first}
            type="text"
            inputMode="decimal"
            name="value"
            value={value}
            aria-invalid={error ? 'true' : 'false'}
            aria-describedby={error ? `${id}-error` : undefined}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          />
        </div>
      ) : m.kind === 'milestones' ? (
        <fieldset class="field milestones">
          <legend>{t('milestonesDone')}</legend>
          {m.items.map((item, i) => (
            <label key={item.id} class="check">
              <input
                ref={i === 0 ? first : undefined}
                type="checkbox"
                name="milestone"
                value={item.id}
                checked={done.has(item.id)}
                onChange={(e) => {
                  const next = new Set(done);
                  if ((e.target as HTMLInputElement).checked) next.add(item.id);
                  else next.delete(item.id);
                  setDone(next);
                }}
              />
              {item.title}
            </label>
          ))}
        </fieldset>
      ) : (
        <label class="field check">
          <input ref={first} type="checkbox" name="done" checked={isDone} onChange={(e) => setIsDone((e.target as HTMLInputElement).checked)} />
          {t('markDone')}
        </label>
      )}
      <div class="field">
        <label for={`${id}-confidence`}>
          {t('confidence')}: <output for={`${id}-confidence`}>{confidence}/10</output>
        </label>
        <input
          id={`${id}-confidence`}
          type="range"
          name="confidence"
          min={0}
          max={10}
          step={1}
          value={confidence}
          aria-valuetext={`${confidence}/10`}
          onInput={(e) => setConfidence(Number((e.target as HTMLInputElement).value))}
        />
      </div>
      <div class="field">
        <label for={`${id}-note`}>{t('noteOptional')}</label>
        <input id={`${id}-note`} type="text" name="note" value={note} maxLength={5000} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
      </div>
      {error ? (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          {t('save')}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            {t('cancel')}
          </button>
        ) : null}
        {verdict?.current !== undefined && numeric ? <span class="muted">{t('lastValue', formatValue(keyResult, verdict.current))}</span> : null}
      </div>
    </form>
  );
}
