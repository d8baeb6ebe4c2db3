import { html, nothing, type TemplateResult } from 'lit';
import type { CandorDocument } from '../../core/model/index.ts';
import { orgTree, gradeOf, type OrgNode } from '../../core/scoring/index.ts';
import { CandorElement } from '../shared/base.ts';
import { scoresOf } from '../shared/data.ts';
import { emit } from '../shared/emit.ts';
import { percent, STATUS_LABEL } from '../shared/format.ts';
import { meterStyles } from '../progress/progress.styles.ts';
import { treeStyles } from './alignment-tree.styles.ts';

/** A node as shown: its key is its path from the root, since a person can sit in two teams. */
interface Shown {
  node: OrgNode;
  key: string;
  level: number;
  parent?: Shown;
  /** A "Show N more" row standing for the parent's children beyond its page. */
  more?: number;
}

const trees = new WeakMap<CandorDocument, Map<string, OrgNode>>();
function treeOf(doc: CandorDocument, cycleId: string | undefined): OrgNode {
  let byCycle = trees.get(doc);
  if (!byCycle) trees.set(doc, (byCycle = new Map()));
  let t = byCycle.get(cycleId ?? '');
  if (!t) byCycle.set(cycleId ?? '', (t = orgTree(doc, scoresOf(doc), cycleId)));
  return t;
}

function find(node: OrgNode, kind: OrgNode['kind'], id: string): OrgNode | undefined {
  if (node.kind === kind && node.id === id) return node;
  for (const c of node.children) {
    const f = find(c, kind, id);
    if (f) return f;
  }
  return undefined;
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');

/**
 * The organisation as an ARIA tree: company → teams (nested) → people → their objectives, each with
 * its rolled-up progress. Only expanded branches are rendered, so 5,000 nodes stay quick.
 * Keyboard: ↑/↓ move, → expands or enters, ← collapses or goes up, Home/End, Enter/Space select.
 * `team-id` or `person-id` roots the tree there; `cycle-id` picks the cycle (default: all objectives).
 *
 * @summary Company → teams → people, with rolled-up progress.
 * @tagname candor-alignment-tree
 * @csspart tree - The `role="tree"` list.
 * @csspart row - One node's row.
 * @csspart fill - The filled part of a node's progress bar.
 * @event candor-select - A node was activated (Enter, Space or click). detail: `{ kind, id }`
 * @event candor-toggle - A node was expanded or collapsed. detail: `{ id, expanded }`
 */
export class CandorAlignmentTree extends CandorElement {
  static override styles = [...CandorElement.styles, meterStyles, treeStyles];
  static override properties = {
    ...CandorElement.properties,
    cycleId: { type: String, attribute: 'cycle-id', reflect: true },
    expandDepth: { type: Number, attribute: 'expand-depth' },
    label: { type: String },
    companyName: { type: String, attribute: 'company-name' },
    pageSize: { type: Number, attribute: 'page-size' },
    _expanded: { state: true },
  };

  /** Only objectives of this cycle (default: every objective). */
  declare cycleId: string | undefined;
  /** Levels open at first (default 1: the company and its teams are visible). */
  declare expandDepth: number;
  /** Accessible name of the tree (default "Alignment"). */
  declare label: string | undefined;
  /** The name shown on the company node (default: the name core scoring gives it). */
  declare companyName: string | undefined;
  /** Children rendered per branch before a "Show more" item (default 200), so opening a huge team stays quick. */
  declare pageSize: number;
  declare private _expanded: Set<string> | undefined;
  private _focus: string | undefined;
  private _visible: Shown[] = [];
  private _limits = new Map<string, number>();

  constructor() {
    super();
    this.expandDepth = 1;
    this.pageSize = 200;
  }

  private _root(doc: CandorDocument): OrgNode | undefined {
    const tree = treeOf(doc, this.cycleId);
    if (this.teamId) return find(tree, 'team', this.teamId);
    if (this.personId) return find(tree, 'person', this.personId);
    return tree;
  }

  private _isOpen(s: { key: string; level: number }): boolean {
    return this._expanded ? this._expanded.has(s.key) : s.level <= this.expandDepth;
  }

  private _toggle(s: Shown, open = !this._isOpen(s)) {
    if (!s.node.children.length || open === this._isOpen(s)) return;
    if (!this._expanded) {
      // First toggle: turn the default depth into an explicit set of the currently open keys.
      this._expanded = new Set(this._visible.filter((v) => this._isOpen(v)).map((v) => v.key));
    }
    const next = new Set(this._expanded);
    if (open) next.add(s.key);
    else {
      next.delete(s.key);
      if (this._focus?.startsWith(`${s.key}/`)) this._focus = s.key;
    }
    this._expanded = next;
    emit(this, 'candor-toggle', { id: s.node.id, expanded: open });
  }

  private _moveTo(key: string | undefined) {
    if (key === undefined) return;
    this._focus = key;
    this.requestUpdate();
    void this.updateComplete.then(() => {
      (this.renderRoot.querySelector(`[data-key="${CSS.escape(key)}"]`) as HTMLElement | null)?.focus();
    });
  }

  private _shownByKey(key: string | undefined) {
    return this._visible.find((v) => v.key === key);
  }

  private _onKey = (e: KeyboardEvent) => {
    const item = (e.target as HTMLElement).closest('[role=treeitem]') as HTMLElement | null;
    const at = this._visible.findIndex((v) => v.key === item?.dataset.key);
    const s = this._visible[at];
    if (!s) return;
    let handled = true;
    const branch = !s.more && s.node.children.length > 0;
    switch (e.key) {
      case 'ArrowDown':
        this._moveTo(this._visible[at + 1]?.key);
        break;
      case 'ArrowUp':
        this._moveTo(this._visible[at - 1]?.key);
        break;
      case 'Home':
        this._moveTo(this._visible[0]?.key);
        break;
      case 'End':
        this._moveTo(this._visible[this._visible.length - 1]?.key);
        break;
      case 'ArrowRight':
        if (branch && !this._isOpen(s)) this._toggle(s, true);
        else if (branch) this._moveTo(this._visible[at + 1]?.key);
        break;
      case 'ArrowLeft':
        if (branch && this._isOpen(s)) this._toggle(s, false);
        else this._moveTo(s.parent?.key);
        break;
      case 'Enter':
      case ' ':
        this._activate(s);
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  };

  private _activate(s: Shown) {
    if (s.more !== undefined && s.parent) {
      // Show the next page of the parent's children and move to the first of them.
      const shown = this._limit(s.parent.key);
      this._limits.set(s.parent.key, shown + this.pageSize);
      const first = s.parent.node.children[shown];
      this._moveTo(first ? `${s.parent.key}/${first.kind}:${first.id}` : s.parent.key);
      return;
    }
    this._focus = s.key;
    this.requestUpdate();
    this._toggle(s);
    emit(this, 'candor-select', { kind: s.node.kind, id: s.node.id });
  }

  private _onClick = (e: MouseEvent) => {
    const item = (e.target as HTMLElement).closest('[role=treeitem]') as HTMLElement | null;
    const s = this._shownByKey(item?.dataset.key);
    if (s) this._activate(s);
  };

  private _limit(key: string): number {
    return this._limits.get(key) ?? Math.max(1, this.pageSize || 200);
  }

  private _moreItem(parent: Shown, hidden: number, pos: number, size: number): TemplateResult {
    const s: Shown = { node: parent.node, key: `${parent.key}/+more`, level: parent.level + 1, parent, more: hidden };
    this._visible.push(s);
    return html`<li
      role="treeitem"
      class="more"
      data-key=${s.key}
      aria-level=${s.level}
      aria-setsize=${size}
      aria-posinset=${pos}
      aria-selected=${s.key === this._focus ? 'true' : 'false'}
      tabindex=${s.key === this._focus ? 0 : -1}
    >
      <div class="row" part="row"><span></span><span class="badge" aria-hidden="true">+</span><span class="name">Show ${Math.min(hidden, this.pageSize)} more of ${hidden}…</span></div>
    </li>`;
  }

  private _item(s: Shown, pos: number, size: number): TemplateResult {
    const node = s.node.kind === 'company' && this.companyName ? { ...s.node, name: this.companyName } : s.node;
    const parent = node.children.length > 0;
    const open = parent && this._isOpen(s);
    const colour = node.status ?? (node.objectiveCount ? gradeOf(node.score) : 'stale');
    const scored = node.objectiveCount > 0 || node.kind === 'objective';
    const fill = Math.round(Math.min(1, Math.max(0, node.score)) * 1000) / 10;
    const index = this._visible.length;
    this._visible.push(s);
    // The group is the item's sibling, owned through aria-owns: the item's own content is only its row,
    // so its accessible name is the row ("Platform 5 objectives 48%"), not the whole subtree.
    // One flat template per row (no nested templates): thousands of open rows stay affordable.
    const groupId = open ? `g${index}` : undefined;
    return html`<li
        role="treeitem"
        class=${node.kind}
        data-key=${s.key}
        aria-level=${s.level}
        aria-setsize=${size}
        aria-posinset=${pos}
        aria-expanded=${parent ? String(open) : nothing}
        aria-selected=${s.key === this._focus ? 'true' : 'false'}
        aria-owns=${groupId ?? nothing}
        tabindex=${s.key === this._focus ? 0 : -1}
      >
        <div class="row ${colour}" part="row">
          <span class="twisty" aria-hidden="true">${parent ? '›' : ''}</span>
          <span class="badge" aria-hidden="true">${node.kind === 'objective' ? '◎' : node.kind === 'company' ? '★' : initials(node.name)}</span>
          <span class="name">${node.name}</span>
          <span class="count">${node.kind === 'objective' ? '' : `${node.objectiveCount} objective${node.objectiveCount === 1 ? '' : 's'}`}</span>
          <span class="meter ${scored ? '' : 'none'}"
            ><svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true"
              ><rect class="track" width="100" height="8"></rect><rect class="fill" part="fill" width=${scored ? fill : 0} height="8"></rect></svg
            ><span class="value">${scored ? percent(this.locale, node.score) : '—'}</span></span
          >
          <span class="sr-only">${node.status ? STATUS_LABEL[node.status] : ''}</span>
        </div>
      </li>
      ${open ? this._group(s, groupId!) : nothing}`;
  }

  private _group(s: Shown, id: string): TemplateResult {
    const all = s.node.children;
    const limit = this._limit(s.key);
    const shown = all.length > limit ? all.slice(0, limit) : all;
    const size = shown.length + (all.length > limit ? 1 : 0);
    return html`<ul role="group" id=${id}>
      ${shown.map((c, i) => this._item({ node: c, key: `${s.key}/${c.kind}:${c.id}`, level: s.level + 1, parent: s }, i + 1, size))}
      ${all.length > limit ? this._moreItem(s, all.length - limit, size, size) : nothing}
    </ul>`;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    // The focused node may have gone (new document, other root): keep one node tabbable.
    if (this._visible.length && !this._visible.some((v) => v.key === this._focus)) {
      this._focus = this._visible[0]!.key;
      this.requestUpdate();
    }
  }

  protected override renderBody(doc: CandorDocument | undefined): TemplateResult {
    if (!doc) return this.message('No organisation to show.');
    const root = this._root(doc);
    if (!root) return this.message(`No ${this.teamId ? 'team' : 'person'} with id “${this.teamId ?? this.personId}”.`);
    this._visible = [];
    const rootKey = `${root.kind}:${root.id}`;
    this._focus ??= rootKey;
    const tree = this._item({ node: root, key: rootKey, level: 1 }, 1, 1);
    return html`<div class="box">
      <ul role="tree" part="tree" aria-label=${this.label || 'Alignment'} @keydown=${this._onKey} @click=${this._onClick}>
        ${tree}
      </ul>
    </div>`;
  }
}
