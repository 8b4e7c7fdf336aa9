import { findDuplicateCandidates } from './shared/resolution/candidates.ts';

const { entities, planted } = generateEntities(100000);
let t = performance.now();
const pairs = findDuplicateCandidates(entities, { defaultCallingCode: '359' });
console.log((performance.now()-t)/1000, pairs.length);
const kinds = new Map<string, number>();
for (const p of pairs) { const k = p.reasons.map(r=>r.split(' ').slice(0,2).join(' ')).join(','); kinds.set(k,(kinds.get(k)??0)+1); }
console.log([...kinds].sort((a,b)=>b[1]-a[1]).slice(0,15));
const found = new Set(pairs.map((p) => `${p.a}|${p.b}`));
const miss = planted.filter(([a, b]) => !found.has(`${a}|${b}`));
console.log('planted', planted.length, 'missed', miss.length);
const byId = new Map(entities.map(e=>[e.id,e]));
for (const [a,b] of miss.slice(0,6)) console.log(byId.get(a)!.properties, byId.get(b)!.properties, byId.get(b)!.schema);
for (const p of pairs.slice(-4)) console.log(p.reasons);
