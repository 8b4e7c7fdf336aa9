import { findDuplicateCandidates } from './shared/resolution/candidates.ts';

const { entities } = generateEntities(30000);
const pairs = findDuplicateCandidates(entities, { defaultCallingCode: '359' });
const byId = new Map(entities.map(e=>[e.id,e]));
const only = pairs.filter(p=>p.reasons.length===1);
const sch = new Map<string,number>();
for (const p of only) { const k = byId.get(p.a)!.schema+'/'+byId.get(p.b)!.schema; sch.set(k,(sch.get(k)??0)+1); }
console.log(pairs.length, only.length, sch);
for (const p of only.filter((_,i)=>i%3000===0)) console.log(p.reasons, p.score, byId.get(p.a)!.properties.name, byId.get(p.b)!.properties.name);
