// App state: signals and computeds built by one factory and passed down by context, so each page
// and each test builds its own. Scores, statuses and due counts are derived, never stored twice.
import { signal, computed, effect, batch, type ReadonlySignal, type Signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { CandorDocument, CheckIn, Comment, Cycle, KeyResult, Kudos, Objective, Person, Reflection, Target, Team } from '../../core/model/index.ts';
import type { ApplySummary } from '../../core/store/apply.ts';
import { scoreDocument, type DocumentScores } from '../../core/scoring/index.ts';
import { goalsView, checkInList, pulse, newlyDone, type GoalsView, type PulseItem } from './derive.ts';
import type { Backend } from './backend.ts';
import type { CheckInDraft } from '../components/checkin-form.tsx';
import { activeWorkspace, type Settings } from '../lib/settings.ts';

/** Fields the store stamps on a record (its creator) that an edit never clears. */
const KEPT_FIELDS = new Set(['createdBy']);

export interface FeedDocument {
  url: string;
  document: CandorDocument;
}

export type SyncState = { state: 'local' } | { state: 'connecting' } | { state: 'synced' } | { state: 'offline'; reason?: string } | { state: 'error'; reason: string };

export interface AppStateOptions {
  backend: Backend;
  settings: Settings;
  /** Persists settings (storage.local in the extension, memory in tests). */
  saveSettings?: (s: Settings) => Promise<Settings>;
  /** Called after each committed change with the new due count (the extension tells the worker). */
  onDocumentChanged?: (dueCount: number) => void;
  now?: () => Date;
}

export function createAppState(options: AppStateOptions) {
  const { backend } = options;
  const clock = options.now ?? (() => new Date());
  const document: Signal<CandorDocument> = signal(backend.current());
  const settings: Signal<Settings> = signal(options.settings);
  const now: Signal<Date> = signal(clock());
  const feeds: Signal<FeedDocument[]> = signal([]);
  const sync: Signal<SyncState> = signal({ state: 'local' });
  /** The last write the team server refused: which space, and why, in its words. */
  const refusal: Signal<{ space: string; reason: string; at: number } | null> = signal(null);

  /** Who I am in the workspace shown (mine, or the demo organisation). */
  const me = computed(() => activeWorkspace(settings.value).me);
  /** True while the pages show the demo organisation (local, never synced). */
  const demo = computed(() => activeWorkspace(settings.value).kind === 'demo');
  const scores: ReadonlySignal<DocumentScores> = computed(() => scoreDocument(document.value, { at: now.value }));
  const goals: ReadonlySignal<GoalsView> = computed(() => goalsView(document.value, scores.value, me.value, now.value));
  const dueCount = computed(() => goals.value.dueCount);
  const checkIns = computed(() => checkInList(goals.value, me.value));
  const teamPulse: ReadonlySignal<PulseItem[]> = computed(() => pulse(document.value, feeds.value, me.value));
  const person: ReadonlySignal<Person | undefined> = computed(() => document.value.people.find((p) => p.id === me.value));
  const isEmpty = computed(() => document.value.objectives.length === 0);
  const toCelebrate = computed(() => newlyDone(goals.value, settings.value.celebrated));
  /** Latest milestones done per key result (to pre-tick the form). */
  const milestonesDone = computed(() => {
    const latest = new Map<string, CheckIn>();
    for (const c of document.value.checkIns) {
      if (!c.milestonesDone) continue;
      const prev = latest.get(c.keyResultId);
      if (!prev || prev.at < c.at) latest.set(c.keyResultId, c);
    }
    return latest;
  });

  const unsubscribe = backend.subscribe(() => {
    batch(() => {
      document.value = backend.current();
      now.value = clock();
    });
  });

  // Tell the worker (badge) the due count when a page opens and whenever it changes.
  const stopBadge = effect(() => {
    options.onDocumentChanged?.(dueCount.value);
  });

  const requireMe = (): string => {
    const id = me.value;
    if (!id) throw new Error('Choose who you are in Options → Identity first.');
    return id;
  };
  const stamp = () => clock().toISOString();

  async function persistSettings(next: Settings): Promise<Settings> {
    const saved = options.saveSettings ? await options.saveSettings(next) : next;
    const [before, after] = [activeWorkspace(settings.value), activeWorkspace(saved)];
    // Another workspace altogether is opened by the pages themselves (they reload); here only who I am changes.
    if (after.kind === before.kind && after.me && after.me !== before.me) backend.setMe?.(after.me);
    settings.value = saved;
    return saved;
  }

  /** Fields to patch so `stored` becomes `next` (cleared fields become `undefined`: removed), minus `fixed`. */
  const patchTo = <T extends object>(stored: T, next: T, fixed: readonly string[]): Record<string, unknown> => {
    const a = stored as Record<string, unknown>;
    const b = next as Record<string, unknown>;
    const patch: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (fixed.includes(k) || KEPT_FIELDS.has(k)) continue;
      if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) patch[k] = b[k];
    }
    return patch;
  };
  // Create or edit is decided on the live document (the signal follows a task later).
  const find = <T extends { id: string }>(list: readonly T[], id: string) => list.find((r) => r.id === id);

  // Every action writes through the backend's commands and resolves with the record as stored.
  const actions = {
    /** Records a check-in by me; resolves once committed, with the check-in as stored (the store's id). */
    async checkIn(draft: CheckInDraft): Promise<CheckIn> {
      requireMe();
      const { keyResultId, ...input } = draft;
      return backend.checkIn(keyResultId, { ...input, at: stamp() });
    },
    async saveCycle(cycle: Cycle): Promise<Cycle> {
      const stored = find(backend.current().cycles, cycle.id);
      return stored ? backend.editCycle(cycle.id, patchTo(stored, cycle, ['id'])) : backend.createCycle(cycle);
    },
    /** Creates or edits an objective (moving it when its owner or visibility changed; re-aligning it when its parent did). */
    async saveObjective(objective: Objective): Promise<Objective> {
      const stored = find(backend.current().objectives, objective.id);
      if (!stored) {
        const { createdAt: _c, updatedAt: _u, ...input } = objective;
        return (await backend.createObjective(input)).objective;
      }
      const patch = patchTo(stored, objective, ['id', 'createdAt', 'updatedAt', 'parentId']);
      let saved = Object.keys(patch).length ? await backend.editObjective(objective.id, patch) : stored;
      if ((stored.parentId ?? null) !== (objective.parentId ?? null)) saved = await backend.align(objective.id, objective.parentId ?? null);
      return saved;
    },
    async saveKeyResult(kr: KeyResult): Promise<KeyResult> {
      const stored = find(backend.current().keyResults, kr.id);
      if (stored) return backend.editKeyResult(kr.id, patchTo(stored, kr, ['id', 'objectiveId']));
      const { objectiveId, ...input } = kr;
      return backend.addKeyResult(objectiveId, input);
    },
    async savePerson(p: Person): Promise<Person> {
      return backend.upsertPerson(p);
    },
    async saveTeam(team: Team): Promise<Team> {
      return backend.upsertTeam(team);
    },
    async remove(collection: 'cycles' | 'objectives' | 'keyResults' | 'people' | 'teams', id: string) {
      await backend.delete(collection, id);
    },
    /** One-click kudos for a teammate's check-in (or comment); resolves with the kudos as stored. */
    async giveKudos(item: PulseItem, message = ''): Promise<Kudos> {
      requireMe();
      const to = item.kind === 'kudos' ? item.record.fromId : item.record.authorId;
      const target: Target = item.kind === 'check-in' ? { kind: 'checkIn', id: item.id } : { kind: 'person', id: to };
      return backend.giveKudos({ target, toIds: [to], message });
    },
    async comment(target: Target, text: string): Promise<Comment> {
      requireMe();
      return backend.comment(target, text);
    },
    async reflect(objectiveId: string, score: number, fields: { wentWell: string; learned: string; nextTime: string }): Promise<Reflection> {
      requireMe();
      return backend.reflect(objectiveId, { score, ...fields });
    },
    /**
     * Rolls unfinished objectives into the next cycle: a copy of each (with its key results, starting
     * where the last check-in left off), aligned to the same parent. The old ones are closed.
     * Resolves with the copies as stored.
     */
    async rollOver(objectiveIds: string[], next: Cycle): Promise<Objective[]> {
      const doc = document.value;
      if (!doc.cycles.some((c) => c.id === next.id)) await backend.createCycle(next);
      const copies: Objective[] = [];
      for (const id of objectiveIds) {
        const old = doc.objectives.find((o) => o.id === id);
        if (!old) continue;
        const verdicts = scores.value.keyResults;
        const keyResults = doc.keyResults
          .filter((k) => k.objectiveId === id)
          .map(({ id: _id, objectiveId: _o, ...kr }) => {
            const current = verdicts.get(_id)?.current;
            let metric = kr.metric;
            if ((metric.kind === 'increase' || metric.kind === 'decrease') && current !== undefined) {
              const fromHere = metric.kind === 'increase' ? current < metric.target : current > metric.target;
              if (fromHere) metric = { ...metric, start: current };
            }
            return { ...kr, metric };
          });
        const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = old;
        copies.push((await backend.createObjective({ ...fields, cycleId: next.id, state: 'active', keyResults })).objective);
        await backend.closeObjective(old.id);
      }
      return copies;
    },
    async markCelebrated(keyResultIds: string[]) {
      const s = settings.value;
      await persistSettings({ ...s, celebrated: [...new Set([...s.celebrated, ...keyResultIds])].slice(-500) });
    },
    persistSettings,
    /** Imports a document (the import plan's merged result) through the commands; records it lacks stay. */
    async importDocument(doc: CandorDocument): Promise<ApplySummary> {
      return backend.applyDocument(doc);
    },
    /** Restores a backup: the workspace becomes the document it holds (what it lacks is deleted). */
    async restoreBackup(id: string): Promise<ApplySummary> {
      if (!backend.backupDocument) throw new Error('this workspace keeps no backups');
      return backend.applyDocument(await backend.backupDocument(id), { mode: 'replace' });
    },
    /** Re-reads the clock (the pages call it every minute so "days left" and due states move). */
    tick() {
      now.value = clock();
    },
  };

  return {
    document,
    settings,
    now,
    feeds,
    sync,
    refusal,
    me,
    demo,
    person,
    scores,
    goals,
    dueCount,
    checkIns,
    teamPulse,
    isEmpty,
    toCelebrate,
    milestonesDone,
    actions,
    backend,
    dispose() {
      unsubscribe();
      stopBadge();
    },
  };
}

export type AppState = ReturnType<typeof createAppState>;

export const AppStateContext = createContext<AppState | null>(null);

export function useAppState(): AppState {
  const state = useContext(AppStateContext);
  if (!state) throw new Error('AppStateContext is missing: wrap the page in <AppStateContext.Provider>.');
  return state;
}
