// App state: signals and computeds built by one factory and passed down by context, so each page
// and each test builds its own. Scores, statuses and due counts are derived, never stored twice.
import { signal, computed, effect, batch, type ReadonlySignal, type Signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { CandorDocument, CheckIn, Cycle, KeyResult, Kudos, Objective, Person, Reflection, Team } from '../../core/model/index.ts';
import { scoreDocument, type DocumentScores } from '../../core/scoring/index.ts';
import { goalsView, checkInList, pulse, newlyDone, type GoalsView, type PulseItem } from './derive.ts';
import type { Backend } from './backend.ts';
import type { CheckInDraft } from '../components/checkin-form.tsx';
import { newId } from '../lib/format.ts';
import type { Settings } from '../lib/settings.ts';

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

  const me = computed(() => settings.value.me);
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
    if (saved.me && saved.me !== settings.value.me) backend.setMe?.(saved.me);
    settings.value = saved;
    return saved;
  }

  const actions = {
    /** Records a check-in by me; resolves once committed. */
    async checkIn(draft: CheckInDraft): Promise<CheckIn> {
      const record: CheckIn = { id: newId('ci'), authorId: requireMe(), at: stamp(), ...draft };
      await backend.checkIn(record);
      return record;
    },
    async saveCycle(cycle: Cycle) {
      await backend.put('cycles', cycle);
    },
    async saveObjective(objective: Objective) {
      await backend.put('objectives', { ...objective, updatedAt: stamp() });
    },
    async saveKeyResult(kr: KeyResult) {
      await backend.put('keyResults', kr);
    },
    async savePerson(p: Person) {
      await backend.put('people', p);
    },
    async saveTeam(team: Team) {
      await backend.put('teams', team);
    },
    async remove(collection: 'cycles' | 'objectives' | 'keyResults' | 'people' | 'teams', id: string) {
      await backend.remove(collection, id);
    },
    /** One-click kudos for a teammate's check-in (or comment). */
    async giveKudos(item: PulseItem, message = '') {
      const from = requireMe();
      const to = item.kind === 'kudos' ? item.record.fromId : item.record.authorId;
      const kudos: Kudos = {
        id: newId('kd'),
        target: item.kind === 'check-in' ? { kind: 'checkIn', id: item.id } : { kind: 'person', id: to },
        fromId: from,
        toIds: [to],
        at: stamp(),
        message,
      };
      await backend.put('kudos', kudos);
      return kudos;
    },
    async reflect(objectiveId: string, score: number, fields: { wentWell: string; learned: string; nextTime: string }) {
      const r: Reflection = { id: newId('rf'), objectiveId, authorId: requireMe(), at: stamp(), score, ...fields };
      await backend.put('reflections', r);
    },
    /**
     * Rolls unfinished objectives into the next cycle: a copy of each (with its key results, starting
     * where the last check-in left off), aligned to the same parent. The old ones are closed.
     */
    async rollOver(objectiveIds: string[], next: Cycle) {
      const doc = document.value;
      if (!doc.cycles.some((c) => c.id === next.id)) await backend.put('cycles', next);
      for (const id of objectiveIds) {
        const old = doc.objectives.find((o) => o.id === id);
        if (!old) continue;
        const at = stamp();
        const copy: Objective = { ...old, id: newId('ob'), cycleId: next.id, state: 'active', createdAt: at, updatedAt: at };
        await backend.put('objectives', copy);
        const verdicts = scores.value.keyResults;
        for (const kr of doc.keyResults.filter((k) => k.objectiveId === id)) {
          const current = verdicts.get(kr.id)?.current;
          let metric = kr.metric;
          if ((metric.kind === 'increase' || metric.kind === 'decrease') && current !== undefined) {
            const fromHere = metric.kind === 'increase' ? current < metric.target : current > metric.target;
            if (fromHere) metric = { ...metric, start: current };
          }
          await backend.put('keyResults', { ...kr, id: newId('kr'), objectiveId: copy.id, metric });
        }
        await backend.put('objectives', { ...old, state: 'closed', updatedAt: at });
      }
    },
    async markCelebrated(keyResultIds: string[]) {
      const s = settings.value;
      await persistSettings({ ...s, celebrated: [...new Set([...s.celebrated, ...keyResultIds])].slice(-500) });
    },
    persistSettings,
    async importDocument(doc: CandorDocument) {
      await backend.importDocument(doc);
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
    me,
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
