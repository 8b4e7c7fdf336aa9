/**
 * The canary oracle: a deliberately simple, conservative reading of the release rules (the issue,
 * docs/bundle-format.md and the rules in shared/exchange/policy.ts's opening comment), written
 * WITHOUT the production policy. It never says what must go; it only says what must NOT: every
 * canary and every id it lists must be absent from everything a partner receives. Anything
 * doubtful is forbidden.
 *
 * For a partner P under agreement A, material "plainly goes" when ALL of these hold:
 *   O1 the case goes: its markings plainly go and A covers every crime area of the case;
 *   O2 the item is not deleted, and its data category is in A (for every origin);
 *   O3 its markings are not TLP:RED, its classification is on the ladder and not above A's,
 *      it carries no handling code at all (every code the generator uses withholds);
 *   O4 listing: P is in releasable-to; for our own material TLP:CLEAR at the lowest rung also
 *      does (public), except for free text; material P itself originated needs no listing,
 *      except for free text; refer-to-originator on material we did not originate never goes;
 *   O5 an entity's property is judged on the record's markings combined with its own; when one
 *      property of the name group does not go, none of the group goes;
 *   O6 free text (FtM `text` properties, case description, note title and body, attachment
 *      description, notice summary, provenance source) goes only when P is explicitly listed;
 *   O7 a relationship goes only when both its ends go and the properties holding them go;
 *      an identifying entity (phone, passport, identification, vehicle, bank account) goes only
 *      when what it identifies goes (its holder / owner, or the owner in an Ownership of it),
 *      unless that was deleted (then only its id is forbidden);
 *   O8 notes and attachments about an entity, and notices about a subject, go only with it;
 *   O9 ids of records that do not go are forbidden everywhere (chart nodes, references, text).
 * The rules judge what a record holds now: a property value replaced since the first bundle is no
 * longer its record's content, so it is forbidden only as part of a record that quotes it.
 */
import type { CaseFile } from '../../shared/caseFile.ts';
import { itemsOf } from '../../shared/model/recordKinds.ts';
import { categoryOf, normaliseCrimeArea } from '../../shared/exchange/agreement.ts';
import type { SharingAgreement } from '../../shared/exchange/agreement.ts';
import { DEFAULT_CLASSIFICATIONS } from '../../shared/model/markings.ts';
import { model } from '../../shared/model/schema.ts';
import type { Markings } from '../../shared/model/markings.ts';
import type { AnyRecord, EntityRecord } from '../../shared/model/records.ts';
import type { Canary } from './materialize.ts';
import { REFERENCE_PROPERTIES } from './materialize.ts';
import { EDGE_SHAPES, HOLDER_PROPERTY, OWN } from './plan.ts';

/** Why a canary or id is forbidden, with the field it came from. */
export interface Forbidden {
  readonly value: string;
  readonly recordId: string;
  readonly kind: string;
  readonly field: string;
  readonly rule: string;
}

const LADDER: readonly string[] = DEFAULT_CLASSIFICATIONS;

/** Properties of the name group (O5): one withheld, all withheld. */
const NAME_GROUP = new Set([
  'name',
  'alias',
  'weakAlias',
  'previousName',
  'firstName',
  'lastName',
  'middleName',
  'fatherName',
  'motherName',
  'secondName',
  'givenName',
  'surname',
]);

/** FtM `text` properties among those the generator writes (O6). */
const FREE_TEXT_PROPERTIES = new Set(['notes', 'summary', 'description', 'purpose']);

const IDENTIFYING = new Set(['Phone', 'Passport', 'Identification', 'Vehicle', 'BankAccount']);

function isLegalEntity(schemaName: string): boolean {
  const schema = model.schemata[schemaName];
  const legal = model.schemata['LegalEntity'];
  return schema !== undefined && legal !== undefined && schema.isA(legal);
}

/** Free-text fields of the other record kinds (O6). */
const FREE_TEXT_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  case: new Set(['description']),
  note: new Set(['title', 'body']),
  attachment: new Set(['description', 'provenance.source']),
  notice: new Set(['summary']),
  chart: new Set(),
  entity: new Set(['provenance.source']),
};

function combine(a: Markings, b: Markings | undefined): Markings {
  if (!b) return a;
  const rank = (c: string): number => (LADDER.includes(c) ? LADDER.indexOf(c) : LADDER.length);
  const tlps = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];
  return {
    classification:
      rank(a.classification) >= rank(b.classification) ? a.classification : b.classification,
    tlp: tlps.indexOf(a.tlp) >= tlps.indexOf(b.tlp) ? a.tlp : b.tlp,
    releasableTo: a.releasableTo.filter((p) => b.releasableTo.includes(p)),
    referToOriginator: a.referToOriginator || b.referToOriginator,
    ...(a.handlingCode || b.handlingCode
      ? { handlingCode: [a.handlingCode, b.handlingCode].filter(Boolean).join('; ') }
      : {}),
  };
}

export class Oracle {
  private readonly byId = new Map<string, AnyRecord>();
  private readonly goesMemo = new Map<string, string | null>();

  constructor(
    private readonly file: CaseFile,
    private readonly partner: string,
    private readonly agreement: SharingAgreement,
  ) {
    for (const record of [file.case, ...itemsOf(file)]) {
      this.byId.set(record.id, record);
    }
  }

  /** O3 + O4 on one set of markings: null when it plainly goes, else the rule that stops it. */
  markingsStop(markings: Markings, origin: string, freeText: boolean): string | null {
    const rank = LADDER.indexOf(markings.classification);
    if (markings.tlp === 'RED') return 'O3 TLP:RED';
    if (rank < 0) return `O3 classification ${markings.classification} not on the ladder`;
    if (rank > LADDER.indexOf(this.agreement.highestClassification)) {
      return `O3 ${markings.classification} above the agreement`;
    }
    if (markings.handlingCode !== undefined) return `O3 handling code ${markings.handlingCode}`;
    if (origin !== OWN && markings.referToOriginator) return 'O4 refer to originator';
    if (markings.releasableTo.includes(this.partner)) return null;
    if (freeText) return 'O6 free text needs the partner listed';
    if (origin === this.partner) return null;
    if (origin === OWN && markings.tlp === 'CLEAR' && rank === 0) return null;
    return 'O4 partner not listed';
  }

  /** O1. */
  caseStop(): string | null {
    const covered = new Set(this.agreement.crimeAreas.map(normaliseCrimeArea));
    const outside = this.file.case.crimeAreas.filter((a) => !covered.has(normaliseCrimeArea(a)));
    if (outside.length > 0) return `O1 crime area ${outside.join(', ')} not covered`;
    const own = this.markingsStop(this.file.case.markings, OWN, false);
    return own === null ? null : `O1 case: ${own}`;
  }

  /** O2, O3, O4, O7, O8 for a whole record: null when it plainly goes. */
  recordStop(id: string, visiting: ReadonlySet<string> = new Set()): string | null {
    const memo = this.goesMemo.get(id);
    if (memo !== undefined) return memo;
    const record = this.byId.get(id);
    let stop: string | null;
    if (!record) stop = 'O9 not in the case';
    // Back at a record already being judged: a loop of documents naming each other adds no
    // holder that stays; each record on it is still judged by its own markings.
    else if (visiting.has(id)) stop = null;
    else stop = this.computeStop(record, new Set([...visiting, id]));
    if (visiting.size === 0) this.goesMemo.set(id, stop);
    return stop;
  }

  private computeStop(record: AnyRecord, visiting: ReadonlySet<string>): string | null {
    const caseStop = this.caseStop();
    if (caseStop) return caseStop;
    if (record.kind === 'case') return null;
    if (record.deleted) return 'O2 deleted';
    const category = categoryOf(record);
    if (category === undefined || !this.agreement.categories.includes(category)) {
      return `O2 category ${category ?? 'none'} not in the agreement`;
    }
    const own = this.markingsStop(record.markings, record.originAgency, false);
    if (own) return own;
    const about = (target: string | undefined, what: string): string | null => {
      if (target === undefined) return null;
      const stop = this.recordStop(target, visiting);
      return stop ? `O8 its ${what} ${target} does not go (${stop})` : null;
    };
    switch (record.kind) {
      case 'note':
      case 'attachment':
        return about(record.entityId, 'entity');
      case 'notice':
        return about(record.subjectId, 'subject');
      case 'chart':
        return null;
      case 'entity':
        return this.entityStop(record, visiting);
    }
  }

  private entityStop(entity: EntityRecord, visiting: ReadonlySet<string>): string | null {
    const shape = EDGE_SHAPES[entity.schema as keyof typeof EDGE_SHAPES];
    if (shape) {
      for (const property of [shape.source, shape.target]) {
        for (const end of entity.properties[property] ?? []) {
          const stop = this.recordStop(end, visiting);
          if (stop) return `O7 end ${end} does not go (${stop})`;
        }
        if (this.propertyStop(entity, property)) return `O7 end property ${property} is withheld`;
      }
      return null;
    }
    if (!IDENTIFYING.has(entity.schema)) return null;
    const holders = [
      ...(entity.properties[HOLDER_PROPERTY[entity.schema as 'Phone'] ?? ''] ?? []),
      ...this.file.entities
        .filter(
          (e) =>
            e.schema === 'Ownership' &&
            !e.deleted &&
            (e.properties.asset ?? []).includes(entity.id),
        )
        .flatMap((e) => e.properties.owner ?? [])
        // FtM's Ownership.owner is a legal entity (a person or an organisation): a thing named as
        // owner (a generated case may do that) is no holder whose details the asset carries.
        .filter((owner) => {
          const record = this.byId.get(owner);
          return record?.kind !== 'entity' || isLegalEntity(record.schema);
        }),
    ];
    for (const holder of holders) {
      // A deleted holder's id stays forbidden (O2, O9), but deletion says nothing about what
      // the document may tell: the reference goes, not necessarily the document.
      if (this.byId.get(holder)?.deleted === true) continue;
      const stop = this.recordStop(holder, visiting);
      if (stop) return `O7 identifies ${holder}, which does not go (${stop})`;
    }
    return null;
  }

  /** O5 + O6 for one property of an entity that goes. */
  propertyStop(entity: EntityRecord, property: string): string | null {
    const single = (name: string): string | null =>
      this.markingsStop(
        combine(entity.markings, entity.propertyMarkings?.[name]),
        entity.originAgency,
        FREE_TEXT_PROPERTIES.has(name),
      );
    if (NAME_GROUP.has(property)) {
      for (const name of Object.keys(entity.properties)) {
        if (!NAME_GROUP.has(name)) continue;
        const stop = single(name);
        if (stop) return name === property ? stop : `O5 name group: ${name} ${stop}`;
      }
      return null;
    }
    const stop = single(property);
    return stop && entity.propertyMarkings?.[property] ? `O5 ${stop}` : stop;
  }

  /** Every canary and id that must not reach the partner. */
  forbidden(canaries: readonly Canary[]): Forbidden[] {
    const out: Forbidden[] = [];
    for (const record of this.byId.values()) {
      const stop = this.recordStop(record.id);
      if (stop) {
        out.push({
          value: record.id,
          recordId: record.id,
          kind: record.kind,
          field: 'id',
          rule: stop,
        });
      }
    }
    for (const canary of canaries) {
      const record = this.byId.get(canary.recordId);
      // A property value replaced since (the delta raises a record to RED with a new value) is no
      // longer that record's content: the rules judge what a record holds now, so the old value
      // is judged only as part of whatever still quotes it (which the partner may have received
      // with the first bundle). What the record holds now stays forbidden through its stop.
      if (
        record?.kind === 'entity' &&
        canary.field.startsWith('properties.') &&
        !(record.properties[canary.field.slice('properties.'.length)] ?? []).includes(canary.token)
      ) {
        continue;
      }
      const recordStop = this.recordStop(canary.recordId);
      let rule: string | null = recordStop;
      if (!rule && record) {
        if (record.kind === 'entity' && canary.field.startsWith('properties.')) {
          const property = canary.field.slice('properties.'.length);
          rule = !REFERENCE_PROPERTIES.has(property) ? this.propertyStop(record, property) : null;
        } else if (FREE_TEXT_FIELDS[record.kind]?.has(canary.field)) {
          const origin = record.kind === 'case' ? OWN : record.originAgency;
          rule = this.markingsStop(record.markings, origin, true);
        }
      }
      if (!record) rule = 'O9 record not in the case';
      if (rule)
        out.push({
          value: canary.token,
          recordId: canary.recordId,
          kind: canary.kind,
          field: canary.field,
          rule,
        });
    }
    return out;
  }
}
