/**
 * Version 2: entities get a normalised `searchText` (caption and names, lower case, accents folded)
 * and a `[caseId+schema]` compound index, so the entity table can filter by type and the quick
 * search can do prefix look-ups without loading a whole case. The upgrade backfills `searchText`
 * for every stored entity.
 *
 * The upgrade runs a frozen copy of the search normalisation as it was when this version shipped
 * (shared/search/fold.ts and renderer/db/searchText.ts at that time), so that editing the live
 * code can never change what this migration writes. Should the live normalisation change, a new
 * migration recomputes `searchText`; this one stays as it is. The caption rule (first non-empty
 * caption property of the schema) reads the FtM model bundled with the app.
 */
import { model } from '../../../shared/model/index.ts';
import type { EntityProperties } from '../../../shared/model/index.ts';
import type { Migration } from './types.ts';

/** Transliteration table of version 2, one `<letter><latin>` token per letter (none: dropped). */
const V2_TABLE: Readonly<Record<string, string>> = Object.fromEntries(
  [
    'аa бb вv гg дd еe ёe жzh зz иi йy кk лl мm нn оo пp рr сs тt уu фf хkh цts чch шsh щshch',
    'ъ ыy ь эe юyu яya іi їyi єye ґg ўu ђdj јj љlj њnj ћc џdz ѓgj ќkj ѕdz αa άa βv γg δd εe έe',
    'ζz ηi ήi θth ιi ίi ϊi ΐi κk λl μm νn ξx οo όo πp ρr σs ςs τt υy ύy ϋy ΰy φf χch ψps ωo ώo',
    'اa أa إi آa بb تt ثth جj حh خkh دd ذdh رr زz سs شsh صs ضd طt ظz ع غgh فf قq كk لl مm نn',
    'هh وw يy ىa ةa ء ؤw ئy پp چch ژzh گg کk یy ßss æae œoe øo łl đd ðd þth ıi ħh',
  ]
    .join(' ')
    .split(' ')
    .map((token) => [token[0]!, token.slice(1)]),
);
const V2_DIGRAPHS = /ο[υύ]|[αά]υ|[εέ]υ|γγ|γκ/g;
const V2_DIGRAPH: Readonly<Record<string, string>> = Object.fromEntries(
  'ου:ou ού:ou αυ:av άυ:av ευ:ev έυ:ev γγ:ng γκ:gk'
    .split(' ')
    .map((pair): [string, string] => [pair.slice(0, 2), pair.slice(3)]),
);

function v2Fold(value: string): string {
  const lower = value.toLowerCase();
  if (/^\p{ASCII}*$/u.test(lower)) return lower;
  return lower
    .normalize('NFC')
    .replace(V2_DIGRAPHS, (pair) => V2_DIGRAPH[pair] ?? pair)
    .replace(/\P{ASCII}/gu, (ch) => V2_TABLE[ch] ?? ch)
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** The first non-empty caption property of the schema, else its label (unknown: its name). */
function v2Caption(schemaName: string, properties: EntityProperties): string {
  const schema = model.schemata[schemaName];
  if (!schema) return schemaName;
  return schema.caption.map((name) => properties[name]?.[0]).find(Boolean) ?? schema.label;
}

/** The search key as version 2 computed it: caption, then names and aliases, folded. */
export function v2SearchText(schema: string, properties: EntityProperties): string {
  const parts = new Set<string>([v2Caption(schema, properties)]);
  for (const name of ['name', 'alias', 'weakAlias', 'previousName', 'firstName', 'lastName']) {
    for (const value of properties[name] ?? []) parts.add(value);
  }
  return v2Fold([...parts].join(' '))
    .replace(/\s+/g, ' ')
    .trim();
}

export const v2: Migration = {
  version: 2,
  stores: {
    entities: 'id, caseId, [caseId+schema], updatedAt, searchText',
    audit: 'id, recordId, caseId, changeId, hlc',
  },
  async upgrade(tx) {
    await tx
      .table<{ schema: string; properties: EntityProperties; searchText?: string }, string>(
        'entities',
      )
      .toCollection()
      .modify((entity) => {
        entity.searchText = v2SearchText(entity.schema, entity.properties);
      });
  },
};
